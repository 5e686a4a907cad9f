using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Capture;

/// <summary>
/// The console host's screen (<c>kvm.capture</c>, docs/console.md) on a real kernel: the published agent runs as its
/// own process in the shared systemd VM, vivid is the capture device, and the agent starts ustreamer as a transient
/// unit of PID 1 over D-Bus. Everything is asked of the agent through its CLI and its control socket; the JPEGs it
/// serves are decoded with Pillow (Capture/capture-check.py), the device read back with v4l2-ctl, the unit with systemctl.
/// </summary>
/// <remarks>
/// One job in the shared VM (no boot of its own). It replaces the vivid smoke test (ustreamer by hand), which this
/// covers. The host's power is a real qemu with no machine (<c>-machine none -S</c>: a QMP socket that runs
/// nothing), so that a power-on and recovery's cycle go through the agent's QMP driver.
/// </remarks>
[Collection(SystemdLabCollection.Name)]
public class CaptureLabTests(SystemdLabFixture lab)
{
    [Fact]
    public async Task The_agent_runs_ustreamer_in_a_sandboxed_unit_serves_its_frames_sets_the_EDID_and_keeps_snapshots_with_the_events()
    {
        var cancellation = TestContext.Current.CancellationToken;
        string agent = await PublishedAgent.EnsureAsync(cancellation);
        string check = Path.Combine(AppContext.BaseDirectory, "Capture", "capture-check.py");
        var result = await lab.ShellAsync($$"""
            AGENT={{agent}}
            CHECK="/usr/bin/python3 {{check}}"
            D=/run/nbp-cap
            S=$D/control.sock
            U=netbootpi-capture.service
            pid=
            qpid=
            cleanup() {
              set +e
              [ -n "$pid" ] && kill $pid 2>/dev/null && wait $pid
              [ -n "$qpid" ] && kill $qpid 2>/dev/null && wait $qpid
              systemctl stop $U 2>/dev/null
              systemctl reset-failed $U 2>/dev/null
              rmmod vivid 2>/dev/null
              rm -rf $D
            }
            trap cleanup EXIT
            nbp() { $AGENT "$@" --socket $S; }
            # Waits (up to $2 tenths of a second) until the command in $1 succeeds.
            until_ok() { for i in $(seq $2); do eval "$1" && return 0; sleep 0.1; done; echo "timed out waiting for: $1" >&2; return 1; }
            capture_events() { $AGENT events console --config $D/site.yaml | awk '$4 == "capture"'; }

            mkdir -p $D/state $D/data
            modprobe vivid n_devs=1 node_types=0x1
            dev=
            for v in /sys/class/video4linux/video*; do grep -q '^vivid' $v/name 2>/dev/null && dev=/dev/${v##*/}; done
            [ -c "$dev" ] || { echo "no vivid capture device" >&2; exit 1; }
            # The pattern the snapshots are checked against: 100% colour bars with no text over them.
            v4l2-ctl -d $dev -c test_pattern=1 -c osd_text_mode=2
            # The site's EDID for the HDMI input (3): v4l2-ctl's DVI-D one; the input is given its HDMI one meanwhile.
            v4l2-ctl -d $dev --set-edid pad=3,type=dvid
            v4l2-ctl -d $dev --get-edid pad=3,format=hex > $D/edid.hex
            v4l2-ctl -d $dev --set-edid pad=3,type=hdmi
            v4l2-ctl -d $dev --get-edid pad=3,format=hex | cmp -s - $D/edid.hex || echo "HDMI input: another EDID than the site's"
            # The source's mode: the first of vivid's timings, 640x480p59.94.
            v4l2-ctl -d $dev --set-input 3 > /dev/null
            v4l2-ctl -d $dev --set-dv-bt-timings index=0 > /dev/null
            v4l2-ctl -d $dev --set-input 0 > /dev/null

            # The console host's power: a qemu that runs no machine, paused (-S), answering QMP.
            qemu-system-x86_64 -machine none -S -nodefaults -display none -qmp unix:$D/qmp.sock,server=on,wait=off > $D/qemu.log 2>&1 &
            qpid=$!
            site() {
              cat > $D/site.yaml <<EOF
            site: { name: lab, domain: lab.internal }
            server: { state_dir: $D/state, data_dir: $D/data, api_port: 8443, api_http_port: 8080 }
            networks:
              mgmt: { interface: lo, address: 127.0.0.7/8, role: management }
              lan: { interface: eth0, address: 10.0.0.1/24 }
            profiles:
              p: { local: true }
            defaults: { profile: p }
            hosts:
              console:
                mac: 00:00:00:00:00:01
                ip: 10.0.0.10
                power: { driver: qmp, socket: $D/qmp.sock }
                recovery: { boot_timeout: 10s, probe: tcp:22, attempts: 1, backoff: 0s }
            kvm: { host: console, capture: { device: $dev, $1 snapshots: 2, snapshot_delay: 1s } }
            EOF
            }
            site "resolution: 640x480,"
            $AGENT run --config $D/site.yaml --no-dhcp --no-dns --listen 127.0.0.1 --tftp-port 0 --http-listen 127.0.0.1:0 --control-socket $S --network-api > $D/agent.log 2>&1 &
            pid=$!
            until_ok "[ -S $S ] && nbp capture status --json 2>/dev/null | grep -q '\"running\": true'" 300 || { cat $D/agent.log >&2; exit 1; }
            nbp capture status | sed -n 1,3p | sed "s|$dev|DEV|"

            # The unit as systemd has it: a transient unit, its sandbox, ustreamer as a user of its own with no network.
            systemctl show $U -p Transient -p DynamicUser -p PrivateNetwork -p DevicePolicy -p DeviceAllow -p RestrictAddressFamilies -p ProtectSystem \
              -p NoNewPrivileges -p CapabilityBoundingSet -p FragmentPath | sed "s|$dev|DEV|"
            main=$(systemctl show -p MainPID --value $U)
            echo "ustreamer runs as $(ps -o user= -p $main), its network: $(nsenter -t $main -n ip -o link | awk -F': ' '{print $2}' | xargs)"
            echo "its socket: $(stat -c '%F %a' /run/netbootpi/capture/ustreamer.sock)"

            # The screen through the agent: the colour bars, at the size asked (once ustreamer has a frame: before it
            # shows its own NO SIGNAL picture).
            until_ok "nbp capture status | grep -q '^ustreamer .*, signal,'" 100
            nbp capture snapshot -o $D/now.jpg | sed 's/: [0-9,]* bytes/: N bytes/'
            $CHECK $D/now.jpg bars
            # The same frame through kvmd's path, as its clients ask for it (its headers, an API token as the password).
            T=$(nbp token create kvmd --role viewer)
            until_ok "curl -s --cacert $D/state/api-cert.pem -o /dev/null https://127.0.0.7:8443/api/auth/check" 50
            echo "kvmd snapshot: $(curl -sS --cacert $D/state/api-cert.pem -H 'X-KVMD-User: kvmd' -H "X-KVMD-Passwd: $T" -o $D/kvmd.jpg \
              -w '%{http_code} %{content_type}' https://127.0.0.7:8443/api/streamer/snapshot)"
            $CHECK $D/kvmd.jpg bars
            # The MJPEG stream through the agent, for as long as the client reads it; the client gone, ustreamer has none.
            curl -s --unix-socket $S --max-time 4 -D $D/stream.head -o $D/stream.bin http://box/api/v1/capture/stream || true
            echo "stream: $(grep -i '^content-type' $D/stream.head | tr -d '\r' | cut -d' ' -f2 | cut -d';' -f1), $(grep -c 'Content-Type: image/jpeg' $D/stream.bin | awk '{print ($1 >= 2) ? "frames" : "not frames: " $1}')"
            until_ok "nbp capture status --json | grep -q '\"clients\": 0'" 50 && echo "the client gone, ustreamer has no stream client"

            # The HDMI input with the site's EDID and DV timings: a reload, then capture start applies them.
            site "input: 3, edid: $D/edid.hex, dv_timings: true,"
            nbp reload > /dev/null
            nbp capture status --json | grep -q '"current": false' && echo "after the reload: runs with the old settings"
            nbp capture start | sed -n 1p | sed "s|$dev|DEV|g; s|$D|D|g"
            v4l2-ctl -d $dev --get-edid pad=3,format=hex | cmp -s - $D/edid.hex && echo "the HDMI input has the site's EDID"
            echo "v4l2-ctl reads: $(v4l2-ctl -d $dev --query-dv-timings | awk -F': ' '/Active width|Active height/ {print $2}' | xargs)"
            until_ok "nbp capture status | grep -q '^ustreamer .*, signal,'" 100
            nbp capture status | grep -E '^(source|ustreamer) ' | sed 's/, [0-9]* fps captured//'
            nbp capture snapshot -o $D/hdmi.jpg > /dev/null
            $CHECK $D/hdmi.jpg

            # Snapshots into the events: 1 s after a power-on, and before recovery's cycle (10 s without the host up).
            nbp power console on
            until_ok "capture_events | grep -q 'power-on.jpg'" 100
            until_ok "capture_events | grep -q 'recovery.jpg'" 300
            until_ok "capture_events | grep -q 'power-cycle.jpg'" 100
            capture_events | awk '{ $1 = ""; print substr($0, 2) }' | sed -E "s/[0-9]{8}T[0-9.]{10}Z/TIME/; s/ [0-9]{3,} snapshot/ N snapshot/; s|$dev|DEV|g; s|$D|D|g"
            nbp capture snapshot $(ls $D/data/snapshots | grep recovery) -o $D/kept.jpg > /dev/null
            $CHECK $D/kept.jpg bars
            echo "kept: $(ls $D/data/snapshots | sed -E 's/^[0-9T.]+Z-//' | xargs)"
            curl -s --unix-socket $S http://box/api/v1/capture/snapshots | grep -c '"name"' | sed 's/^/listed: /'

            nbp capture stop | sed -n 1p
            echo "the unit after stop: $(systemctl show -p LoadState --value $U), socket folder: $([ -e /run/netbootpi/capture ] && echo left || echo gone)"
            kill $pid; wait $pid || true; pid=
            """, cancellation, TimeSpan.FromMinutes(3));
        LabHarness.ReportTime("capture test (shared systemd VM, its job)", result.Duration);
        result.EnsureSuccess();
        var expected = """
            HDMI input: another EDID than the site's
            console host  console
            device        DEV input 0, 640x480, yuyv
            unit          netbootpi-capture.service: loaded active (running)
            DevicePolicy=closed
            DeviceAllow=char-rtc r
            DeviceAllow=DEV rw
            CapabilityBoundingSet=
            DynamicUser=yes
            PrivateNetwork=yes
            ProtectSystem=strict
            NoNewPrivileges=yes
            RestrictAddressFamilies=AF_UNIX
            FragmentPath=/run/systemd/transient/netbootpi-capture.service
            Transient=yes
            ustreamer runs as netbootpi-capture, its network: lo
            its socket: socket 660
            /run/nbp-cap/now.jpg: N bytes, 640x480
            JPEG 640x480
            bars: white yellow cyan green magenta red blue black
            kvmd snapshot: 200 image/jpeg
            JPEG 640x480
            bars: white yellow cyan green magenta red blue black
            stream: multipart/x-mixed-replace, frames
            the client gone, ustreamer has no stream client
            after the reload: runs with the old settings
            capture started: DEV input 3, 1920x1080, yuyv, EDID D/edid.hex, DV timings
            the HDMI input has the site's EDID
            v4l2-ctl reads: 640 480
            source        640x480p59.94
            ustreamer     640x480, signal, 0 stream clients
            JPEG 640x480
            console: on (was prelaunch, now running)
            agent console capture 0 0 capture started: DEV input 0, 640x480, yuyv
            uid:0 console capture 0 0 capture started: DEV input 3, 1920x1080, yuyv, EDID D/edid.hex, DV timings; the source sends 640x480p59.94
            capture console capture 0 N snapshot TIME-console-power-on.jpg: 1 s after power on by uid:0
            capture console capture 0 N snapshot TIME-console-recovery.jpg: before recovery's power cycle (no DHCP exchange 10s after power-on → cycle 1/1)
            capture console capture 0 N snapshot TIME-console-power-cycle.jpg: 1 s after power cycle by recovery
            JPEG 640x480
            bars: white yellow cyan green magenta red blue black
            kept: console-recovery.jpg console-power-cycle.jpg
            listed: 2
            capture stopped
            the unit after stop: not-found, socket folder: gone

            """.Replace("\r", "");
        // The whole of what the job said, to compare line by line when it differs.
        if (result.Stdout != expected) TestContext.Current.TestOutputHelper?.WriteLine("--- the job's stdout\n" + result.Stdout);
        Assert.Equal(expected, result.Stdout);
    }
}
