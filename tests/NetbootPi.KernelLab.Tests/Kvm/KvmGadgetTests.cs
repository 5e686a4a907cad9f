using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Kvm;

/// <summary>
/// The console host's USB drive, keyboard and pointer (<c>kvm:</c>, docs/console.md) on a real kernel: the published
/// agent runs as its own process in the shared systemd VM and builds its gadget on dummy_hcd, whose host side (the
/// same kernel's usb-storage, usbhid and input core) is the console host. Everything is asked of the agent through
/// its CLI, as a user would; the host side is read with sysfs, cmp and python3-evdev (Kvm/kvm-host.py).
/// </summary>
/// <remarks>
/// One job in the shared VM (no boot of its own; the lab tier is near its time budget): media first (bytes, a swap
/// under a host that holds the disk open, a 3 GiB ISO), then the HID side.
/// </remarks>
[Collection(SystemdLabCollection.Name)]
public class KvmGadgetTests(SystemdLabFixture lab)
{
    [Fact]
    public async Task The_gadget_is_a_disk_with_the_image_bytes_swappable_under_a_locked_host_and_a_keyboard_and_pointer_the_host_reads()
    {
        var cancellation = TestContext.Current.CancellationToken;
        string agent = await PublishedAgent.EnsureAsync(cancellation);
        string hostScript = Path.Combine(AppContext.BaseDirectory, "Kvm", "kvm-host.py");
        var result = await lab.ShellAsync($$"""
            AGENT={{agent}}
            D=/run/nbp-kvm
            S=$D/control.sock
            G=/sys/kernel/config/usb_gadget/netbootpi
            pid=
            cleanup() {
              set +e
              [ -n "$pid" ] && kill $pid 2>/dev/null && wait $pid
              if [ -d $G ]; then
                echo "the agent left its gadget behind" >&2
                echo "" > $G/UDC; rm -f $G/configs/c.1/*.* ; rmdir $G/configs/c.1/strings/0x409 $G/configs/c.1 $G/functions/* $G/strings/0x409 $G
              fi
              rm -rf $D
            }
            trap cleanup EXIT
            nbp() { $AGENT "$@" --socket $S; }
            # The disk dummy_hcd's host side made of the gadget's drive, once it is $1 sectors long.
            disk_of_size() {
              for i in $(seq 150); do
                for b in /sys/block/sd*; do
                  [ -e "$b" ] && readlink -f "$b" | grep -q dummy_hcd && [ "$(cat $b/size)" = "$1" ] && { echo /dev/${b##*/}; return 0; }
                done
                sleep 0.2
              done
              echo "no USB disk of $1 sectors appeared: $(for b in /sys/block/sd*; do echo "$b $(cat $b/size)"; done)" >&2
              return 1
            }

            modprobe dummy_hcd
            modprobe libcomposite
            mkdir -p $D/state $D/data/images
            head -c 4194304 /dev/urandom > $D/data/images/one.img
            head -c 6291456 /dev/urandom > $D/data/images/two.img
            truncate -s 8M $D/data/images/small.iso
            truncate -s 3G $D/data/images/big.iso
            cat > $D/site.yaml <<EOF
            site: { name: lab, domain: lab.internal }
            server: { state_dir: $D/state, data_dir: $D/data, api_port: 8443, api_http_port: 8080 }
            media: { fetch_allow: [127.0.0.6] }
            networks:
              mgmt: { interface: lo, address: 127.0.0.5/8, role: management }
              lan:
                interface: eth0
                address: 10.0.0.1/24
                dhcp: { mode: authoritative, range: 10.0.0.100-10.0.0.199, lease: 1h }
            profiles:
              p: { local: true }
            defaults: { profile: p }
            hosts:
              console: { mac: 00:00:00:00:00:01, ip: 10.0.0.10 }
            kvm: { host: console }
            EOF
            $AGENT run --config $D/site.yaml --no-dhcp --no-dns --listen 127.0.0.1 --tftp-port 0 --http-listen 127.0.0.1:0 --control-socket $S --network-api > $D/agent.log 2>&1 &
            pid=$!
            for i in $(seq 150); do
              [ -S $S ] && nbp kvm --json 2>/dev/null | grep -q '"usb_state": "configured"' && break
              kill -0 $pid 2>/dev/null || { cat $D/agent.log >&2; exit 1; }
              sleep 0.2
            done
            nbp kvm | sed -n 1,2p
            echo "gadget: $(cat $G/UDC), functions $(ls $G/configs/c.1 | grep '\.' | tr '\n' ' ')"

            nbp media attach one.img
            disk=$(disk_of_size 8192)
            cmp $disk $D/data/images/one.img && echo "one.img: the host's disk has its bytes"

            # The host holds the disk open: it has sent PREVENT MEDIUM REMOVAL, so an empty file is refused (EBUSY).
            exec 3<$disk
            nbp media attach two.img --json > $D/swap.json
            grep -q '"forced_eject": true' $D/swap.json && echo "two.img over an open disk: the last medium ejected by force"
            disk=$(disk_of_size 12288)
            for i in $(seq 50); do cmp -s $disk $D/data/images/two.img && break; sleep 0.2; done
            cmp $disk $D/data/images/two.img && echo "two.img: the host's disk has its bytes, still open at the swap"
            exec 3<&-

            nbp media attach small.iso
            nbp media attach big.iso 2> $D/big.err > $D/big.out
            sed 's/^/big.iso: /' $D/big.err
            cat $D/big.out
            disk=$(disk_of_size 6291456)
            echo "big.iso: the host sees a disk of $(cat /sys/block/${disk##*/}/size) sectors, read-only $(cat /sys/block/${disk##*/}/ro)"
            nbp media attach one.img --disk --rw | sed 's/^/rw: /'
            # The image in the drive stays in the catalog until it is ejected.
            { nbp media remove one.img 2>&1 && echo "removed while in the drive"; } | sed 's/^/remove: /' || true
            # udev on the host side may hold the disk open at this moment (it probes a medium that just changed): the
            # eject is then by force, and says so; either way the drive ends empty, which the next line checks.
            nbp media eject | sed 's/^ejected by force (.*/ejected/'
            nbp media status

            # Redfish: InsertMedia of a URL (served on 127.0.0.6, which the site allows) goes into the catalog, then into
            # the drive as a CD-ROM because it holds an ISO 9660 file system; a .iso without one goes in as a disk.
            PW='lab password 1'
            printf '%s\n' "$PW" | nbp user add olive --role operator --password-stdin > /dev/null
            mkdir -p $D/www
            head -c 2097152 /dev/zero > $D/www/inst.iso
            printf '\001CD001' | dd of=$D/www/inst.iso bs=1 seek=32768 conv=notrunc status=none
            head -c 1048576 /dev/urandom > $D/www/disk.iso
            ( cd $D/www && exec /usr/bin/python3 -m http.server --bind 127.0.0.6 8000 > $D/www.log 2>&1 ) &
            www=$!
            # One login (a Redfish session): Argon2 under TCG takes seconds, so not a Basic password check per request.
            for i in $(seq 50); do [ "$(curl -s --cacert $D/state/api-cert.pem -o /dev/null -w '%{http_code}' https://127.0.0.5:8443/redfish/v1)" = 200 ] && curl -s -o /dev/null http://127.0.0.6:8000/ && break; sleep 0.2; done
            T=$(curl -sS --cacert $D/state/api-cert.pem -D - -o /dev/null -H 'Content-Type: application/json' -d "{\"UserName\": \"olive\", \"Password\": \"$PW\"}" \
              https://127.0.0.5:8443/redfish/v1/SessionService/Sessions | tr -d '\r' | sed -n 's/^[Xx]-[Aa]uth-[Tt]oken: //p')
            rf() { curl -sS --cacert $D/state/api-cert.pem -H "X-Auth-Token: $T" -o $D/rf.json -w '%{http_code}' -X "$1" "https://127.0.0.5:8443$2" ${3:+-H 'Content-Type: application/json' -d "$3"}; }
            V=/redfish/v1/Managers/netbootpi/VirtualMedia/usb
            echo "redfish insert inst.iso by URL: $(rf POST $V/Actions/VirtualMedia.InsertMedia '{"Image": "http://127.0.0.6:8000/inst.iso"}')"
            nbp media status | sed 's/^/redfish: /'
            # The host probed the drive's LUN as a disk when it enumerated the gadget; like a host at its next boot, it
            # sees a CD-ROM once it probes the LUN again (the gadget is never rebound to make it).
            for b in /sys/block/sd*; do
              [ -e "$b" ] && readlink -f "$b" | grep -q dummy_hcd || continue
              scsi=$(readlink -f $b/device | grep -o 'host[0-9]*' | tail -1)
              echo 1 > $b/device/delete
              echo '- - -' > /sys/class/scsi_host/$scsi/scan
            done
            # The host's CD-ROM (sr) on dummy_hcd; its size is read when it is opened, as blockdev does.
            cd=
            for i in $(seq 100); do for b in /sys/block/sr*; do [ -e "$b" ] && readlink -f "$b" | grep -q dummy_hcd && cd=/dev/${b##*/}; done; [ -n "$cd" ] && break; sleep 0.2; done
            [ -n "$cd" ] && for i in $(seq 50); do [ "$(blockdev --getsize64 $cd 2>/dev/null)" = 2097152 ] && break; sleep 0.2; done
            echo "redfish: the host sees a CD-ROM of $( [ -n "$cd" ] && blockdev --getsize64 $cd 2>&1 || echo "nothing: $(ls /sys/block | tr '\n' ' ')") bytes"
            rf GET $V > /dev/null
            /usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print("redfish: Inserted", m["Inserted"], "Image", m["Image"], "WriteProtected", m["WriteProtected"])' $D/rf.json
            # The host holds the CD open (its drive locked), so the swap ejects it by force.
            # The swap and the eject by Ironic's sushy (what Metal3 drives BMCs with), as it inserts and ejects virtual
            # media: it opens a session and checks the box's certificate (requests' CA variables would override that).
            exec 4<$cd
            cat > $D/media-by-sushy.py <<'PY'
            import sys, sushy
            root = sushy.Sushy("https://127.0.0.5:8443/redfish/v1", username="olive", password=sys.argv[1], verify=sys.argv[2])
            media = root.get_manager("/redfish/v1/Managers/netbootpi").virtual_media.get_member("/redfish/v1/Managers/netbootpi/VirtualMedia/usb")
            if sys.argv[3] == "insert":
                media.insert_media("http://127.0.0.6:8000/disk.iso", write_protected=False)
            else:
                media.eject_media()
            media.refresh()
            print(sys.argv[3], "inserted", media.inserted, "image", media.image_name, "write protected", media.write_protected)
            PY
            sushy() { env -u REQUESTS_CA_BUNDLE -u CURL_CA_BUNDLE /usr/bin/python3 $D/media-by-sushy.py "$PW" $D/state/api-cert.pem "$1" 2>&1 | tail -n 3 | sed 's/^/sushy: /'; }
            sushy insert
            exec 4<&-
            nbp media status | sed 's/^/redfish: /'
            sushy eject
            nbp media status | sed 's/^/redfish: /'
            # Bad input: a URL nobody answers at, a web page in place of an image, a name with a path in it.
            echo '<html><body>log in first</body></html>' > $D/www/login.html
            rferr() { code=$(rf POST $V/Actions/VirtualMedia.InsertMedia "$1"); /usr/bin/python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; print(sys.argv[2], e["code"], e["message"])' $D/rf.json $code; }
            echo "redfish unreachable: $(rferr '{"Image": "http://127.0.0.6:8001/gone.iso"}')"
            echo "redfish web page: $(rferr '{"Image": "http://127.0.0.6:8000/login.html"}')"
            echo "redfish path: $(rferr '{"Image": "../../etc/passwd"}')" | sed "s|$D|D|"
            echo "redfish: the catalog holds $(ls $D/data/images | tr '\n' ' ')and $(ls -A $D/data/images/.partial | wc -l) partial files"
            # kvmd: the drive chosen, then connected, as PiKVM's clients do (its cookie, an X-KVMD- header on changes):
            # the same attach and eject as the native API's, the same events.
            K=$(curl -sS --cacert $D/state/api-cert.pem -D - -o /dev/null --data user=olive --data-urlencode "passwd=$PW" https://127.0.0.5:8443/api/auth/login \
              | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(auth_token=[^;]*\).*/\1/p')
            kv() { curl -sS --cacert $D/state/api-cert.pem -b "$K" -H 'X-KVMD-Client: lab' -o $D/kv.json -w '%{http_code}' -X "$1" "https://127.0.0.5:8443$2"; }
            echo "kvmd set_params disk.iso as a writable disk: $(kv POST '/api/msd/set_params?image=disk.iso&cdrom=0&rw=1')"
            echo "kvmd connect: $(kv POST '/api/msd/set_connected?connected=1')"
            nbp media status | sed 's/^/kvmd: /'
            kv GET /api/msd > /dev/null
            /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["result"]["drive"]; print("kvmd: drive", d["image"]["name"], "connected", d["connected"], "cdrom", d["cdrom"], "rw", d["rw"])' $D/kv.json
            code=$(kv POST '/api/msd/set_params?cdrom=1')
            echo "kvmd set_params while connected: $code $(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"]["error"])' $D/kv.json)"
            echo "kvmd disconnect: $(kv POST '/api/msd/set_connected?connected=0')"
            nbp media status | sed 's/^/kvmd: /'
            kill $www; wait $www 2>/dev/null || true

            /usr/bin/python3 {{hostScript}} $AGENT $S "$K" $D/state/api-cert.pem

            kill $pid; wait $pid || true; pid=
            [ -d $G ] && echo "gadget still there after the agent stopped" || echo "the agent stopped: its gadget is gone"
            # Who did what to the console host, as boot events (the text typed is not among them).
            # Whether the last eject needed force depends on whether the host's udev was polling its CD drive just then.
            $AGENT events console --config $D/site.yaml | awk '$4 == "kvm" { $1 = ""; print substr($0, 2) }' | grep -v ' usb ' \
              | sed 's/^\(user:olive console kvm 0 0 media eject\)\(, by force\)\{0,1\}$/\1 (by force or not)/'
            """, cancellation, TimeSpan.FromMinutes(5));
        // The job's own time: the shared VM's boot, when this test is the first to need it, is not the test's.
        LabHarness.ReportTime("kvm gadget test (shared systemd VM, its job)", result.Duration);
        result.EnsureSuccess();
        Assert.Equal("""
            console host  console
            usb           dummy_udc.0: configured
            gadget: dummy_udc.0, functions hid.keyboard hid.mouse mass_storage.media 
            one.img as a disk, read-only, 4,194,304 bytes
            one.img: the host's disk has its bytes
            two.img over an open disk: the last medium ejected by force
            two.img: the host's disk has its bytes, still open at the swap
            small.iso as a CD-ROM, read-only, 8,388,608 bytes
            big.iso: big.iso is 3 GiB, more than the 2.2 GiB (1,151,999 sectors) the kernel's CD-ROM emulation addresses: attached as a removable read-only disk instead (a hybrid ISO boots that way; a CD-only ISO does not)
            big.iso as a disk, read-only, 3,221,225,472 bytes
            big.iso: the host sees a disk of 6291456 sectors, read-only 1
            rw: one.img as a disk, read-write, 4,194,304 bytes
            remove: netbootpi: the agent refused: image one.img is in the console host's drive: eject it first (netbootpi media eject), as the host may be reading it
            ejected
            the drive is empty
            redfish insert inst.iso by URL: 204
            redfish: inst.iso as a CD-ROM, read-only, 2,097,152 bytes
            redfish: the host sees a CD-ROM of 2097152 bytes
            redfish: Inserted True Image http://127.0.0.6:8000/inst.iso WriteProtected True
            sushy: insert inserted True image disk.iso write protected False
            redfish: disk.iso as a disk, read-write, 1,048,576 bytes
            sushy: eject inserted False image None write protected False
            redfish: the drive is empty
            redfish unreachable: 422 Base.1.8.GeneralError the download of gone.iso failed: cannot connect to 127.0.0.6:8001 (is the server up, and reachable from the box?)
            redfish web page: 422 Base.1.8.GeneralError 127.0.0.6 answered with a web page (text/html), not an image, for login.html: check the URL (a download page or a login in the way?); nothing was kept
            redfish path: 404 Base.1.8.ResourceNotFound '../../etc/passwd' is not an image name: give the file name of an image in D/data/images (no '/', not starting with '.')
            redfish: the catalog holds big.iso disk.iso inst.iso one.img small.iso two.img and 0 partial files
            kvmd set_params disk.iso as a writable disk: 200
            kvmd connect: 200
            kvmd: disk.iso as a disk, read-write, 1,048,576 bytes
            kvmd: drive disk.iso connected True cdrom False rw True
            kvmd set_params while connected: 400 MsdConnectedError
            kvmd disconnect: 200
            kvmd: the drive is empty
            devices: NetbootPi NetbootPi console keyboard, NetbootPi NetbootPi console pointer
            type Hi: KEY_LEFTSHIFT+ KEY_H+ KEY_LEFTSHIFT- KEY_H- KEY_I+ KEY_I-
            keys down after: []
            type --layout de @^z: KEY_RIGHTALT+ KEY_Q+ KEY_RIGHTALT- KEY_Q- KEY_GRAVE+ KEY_GRAVE- KEY_SPACE+ KEY_SPACE- KEY_Y+ KEY_Y-
            key F12 --repeat 3: KEY_F12+ KEY_F12- KEY_F12+ KEY_F12- KEY_F12+ KEY_F12-
            key ctrl+shift+a: KEY_LEFTCTRL+ KEY_LEFTSHIFT+ KEY_A+ KEY_LEFTCTRL- KEY_LEFTSHIFT- KEY_A-
            kvmd print Hi: 200 KEY_LEFTSHIFT+ KEY_H+ KEY_LEFTSHIFT- KEY_H- KEY_I+ KEY_I-
            kvmd send_key ControlLeft held, KeyA, ControlLeft let go: 200 200 200 KEY_LEFTCTRL+ KEY_A+ KEY_A- KEY_LEFTCTRL- keys down after: []
            caps lock on, the agent reads leds: ['caps_lock']
            caps lock off, the agent reads leds: []
            pointer range: x 0..32767, y 0..32767
            mouse 1000 2000: ABS_X=1000 ABS_Y=2000
            mouse 30000 500 --click left: ABS_X=30000 ABS_Y=500 BTN_LEFT+ BTN_LEFT-
            client killed mid-text: typing stopped: True; keys down after: []
            key shift --hold: KEY_LEFTSHIFT+ agent holds: ['left_shift']
            host reset the bus: agent usb configured, holds []; host still has down: ['KEY_LEFTSHIFT']
            type a after the reset: KEY_LEFTSHIFT- KEY_A+ KEY_A- keys down: []
            key shift --hold: KEY_LEFTSHIFT+ agent holds: ['left_shift']
            host unbound the device: its keyboard is gone: True
            host took the device again: agent usb configured, holds []
            type a: KEY_A+ KEY_A- keys down: []
            the agent stopped: its gadget is gone
            uid:0 console kvm 0 0 media attach one.img as disk ro
            uid:0 console kvm 0 0 media attach two.img as disk ro, the last medium ejected by force
            uid:0 console kvm 0 0 media attach small.iso as cdrom ro
            uid:0 console kvm 0 0 media attach big.iso as cdrom ro (big.iso is 3 GiB, more than the 2.2 GiB (1,151,999 sectors) the kernel's CD-ROM emulation addresses: attached as a removable read-only disk instead (a hybrid ISO boots that way; a CD-only ISO does not))
            uid:0 console kvm 0 0 media attach one.img as disk rw
            uid:0 console kvm 0 0 media eject
            user:olive console kvm 0 0 media attach inst.iso as cdrom ro
            user:olive console kvm 0 0 media attach disk.iso as disk rw, the last medium ejected by force
            user:olive console kvm 0 0 media eject (by force or not)
            user:olive console kvm 0 0 media attach disk.iso as disk rw
            user:olive console kvm 0 0 media eject (by force or not)
            uid:0 console kvm 0 0 type 2 characters
            uid:0 console kvm 0 0 type 3 characters in layout de
            uid:0 console kvm 0 0 key F12 x3
            uid:0 console kvm 0 0 key ctrl+shift+a x1
            user:olive console kvm 0 0 type 2 characters
            user:olive console kvm 0 0 hold ctrl
            user:olive console kvm 0 0 key a x1
            user:olive console kvm 0 0 release ctrl
            uid:0 console kvm 1 0 type 2000 characters: stopped, the client went away; every key released
            uid:0 console kvm 0 0 hold shift
            uid:0 console kvm 0 0 type 1 characters
            uid:0 console kvm 0 0 hold shift
            uid:0 console kvm 0 0 type 1 characters

            """.Replace("\r", ""), result.Stdout);
    }
}
