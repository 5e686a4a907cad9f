#!/usr/bin/env bash
# The SD image as a user meets it, booted under qemu-system-aarch64 -M virt (cortex-a72, the Pi 4's core) with the
# kernel, initrd and command line taken out of the image's own FAT partition (mtools, no mount), the image itself a
# virtio disk, its NIC a tap on a bridge in a private network namespace. (A copy of the image is booted: the
# artifact is never written.)
#   boot 1, no site file on the card: the box takes its address from a DHCP server of the test (dnsmasq, answering
#     its MAC only) and serves nothing: a DHCP client of the test gets no offer; SSH with the card's key works, a
#     password is refused; / is read-only; first-boot.log on the card says there is no site file.
#     Then the user's site file goes onto the card (over SSH) and the card is read again: the agent starts, a DHCP
#     client gets an address from it and an iPXE script over HTTP; a site edit is applied through the agent.
#   boot 2 (systemctl reboot): the same SSH host key and machine-id, the site edit still there, the agent serving,
#     the client's lease the same, first-boot.log saying the site file was used.
# Prints PASS/FAIL lines and TIME lines; exits non-zero on any failure; removes its namespace, VM and files always.
# Usage: tests/image/boot-test.sh IMAGE.img [--keep] [--timeout SECS]   (root)
set -uo pipefail
IMG=${1:?usage: tests/image/boot-test.sh IMAGE.img [--keep] [--timeout SECS]}; shift
KEEP=0; TIMEOUT=600
while [ $# -gt 0 ]; do case $1 in --keep) KEEP=1;; --timeout) TIMEOUT=$2; shift;; *) echo "boot-test.sh: unknown argument $1" >&2; exit 2;; esac; shift; done
[ "$(id -u)" = 0 ] || { echo "FAIL image: needs root (network namespaces, taps)"; exit 1; }
for t in qemu-system-aarch64 mcopy mtype dnsmasq udhcpc ssh ssh-keygen ssh-keyscan curl; do
  command -v "$t" >/dev/null || { echo "FAIL image: $t is missing (apt-get install qemu-system-arm mtools dnsmasq-base udhcpc openssh-client curl)"; exit 1; }
done
[ -f "$IMG" ] || { echo "FAIL image: $IMG does not exist (image/build.sh --no-xz makes it)"; exit 1; }

NS=nbpimg$$ NSC=nbpimgc$$
RUN=$(mktemp -d /var/tmp/netbootpi-image-test.XXXXXX)
BOX=10.77.0.2 ME=10.77.0.1
BOXMAC=52:54:00:4e:42:01 CLIENTMAC=52:54:00:4e:42:99
QPID= DPID=
T0=$SECONDS
results=(); pass() { results+=("PASS image: $*"); echo "PASS image: $*"; }; fail() { results+=("FAIL image: $*"); echo "FAIL image: $*"; }
log() { printf '[%4ss] %s\n' $((SECONDS - T0)) "$*" >&2; }
cleanup() {
  trap '' INT TERM
  [ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null
  [ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
  ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns pids "$NSC" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns del "$NS" 2>/dev/null; ip netns del "$NSC" 2>/dev/null
  if [ $KEEP = 1 ]; then echo "image: kept $RUN" >&2; else rm -rf "$RUN"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
finish() {
  printf '%s\n' "${results[@]}" | grep -q '^FAIL' && { [ -f "$RUN/serial.log" ] && tail -40 "$RUN/serial.log" >&2; exit 1; }
  exit 0
}

# The card as the user prepares it: a copy of the image, their SSH key in netbootpi/authorized_keys.
log "copying the image"
cp --sparse=always "$IMG" "$RUN/disk.img"
FAT="$RUN/disk.img@@8M"
ssh-keygen -q -t ed25519 -N '' -C image-test -f "$RUN/id"
mcopy -o -i "$FAT" "$RUN/id.pub" ::netbootpi/authorized_keys || { fail "writing netbootpi/authorized_keys on the card"; finish; }
SSH=(ssh -i "$RUN/id" -o UserKnownHostsFile="$RUN/known_hosts" -o StrictHostKeyChecking=accept-new -o BatchMode=yes -o ConnectTimeout=5 root@$BOX)

# The network: a bridge in a namespace (the test's own address $ME), the VM's tap, and a client namespace on a veth.
ip netns add "$NS" && ip netns add "$NSC" || { fail "ip netns add"; finish; }
ip -n "$NS" link set lo up
ip -n "$NS" link add br0 type bridge forward_delay 0 stp_state 0
ip -n "$NS" addr add $ME/24 dev br0
ip -n "$NS" link set br0 up
ip -n "$NS" tuntap add tap0 mode tap
ip -n "$NS" link set tap0 master br0 up
ip -n "$NS" link add cl0 type veth peer name cl0b
ip -n "$NS" link set cl0 netns "$NSC"
ip -n "$NS" link set cl0b master br0 up
ip -n "$NSC" link set lo up
ip -n "$NSC" link set cl0 address $CLIENTMAC up

boot() { # $1: the boot's name
  local kernel initrd cmdline
  kernel=$(mdir -b -i "$FAT" '::vmlinuz-*' | head -1); initrd=$(mdir -b -i "$FAT" '::initrd.img-*' | head -1)
  mcopy -o -n -i "$FAT" "$kernel" "$RUN/vmlinuz" && mcopy -o -n -i "$FAT" "$initrd" "$RUN/initrd" \
    || { fail "$1: the kernel and initrd out of the card's FAT partition"; return 1; }
  cmdline=$(mtype -i "$FAT" ::cmdline.txt | tr -d '\r\n' | sed 's/console=[^ ]*//g')
  echo "$cmdline" > "$RUN/cmdline-$1"
  : > "$RUN/serial.log"
  ip netns exec "$NS" qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 1024 -nographic -monitor none \
    -serial file:"$RUN/serial.log" -no-reboot -kernel "$RUN/vmlinuz" -initrd "$RUN/initrd" \
    -append "$cmdline console=ttyAMA0 systemd.journald.forward_to_console=1" \
    -drive if=none,id=hd0,file="$RUN/disk.img",format=raw,cache=unsafe -device virtio-blk-pci,drive=hd0 \
    -netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=$BOXMAC \
    -device virtio-rng-pci -device i6300esb >"$RUN/qemu.log" 2>&1 &
  QPID=$!
  BOOT_T0=$SECONDS
}
wait_ssh() { # $1: the boot's name
  local deadline=$((SECONDS + TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$QPID" 2>/dev/null || { fail "$1: qemu ended before SSH answered"; return 1; }
    if ip netns exec "$NS" "${SSH[@]}" true 2>/dev/null; then
      echo "TIME image-$1-ssh $((SECONDS - BOOT_T0))"; pass "$1: SSH with the card's key answers ($((SECONDS - BOOT_T0)) s after qemu started)"; return 0
    fi
    sleep 2
  done
  fail "$1: no SSH within $TIMEOUT s"; return 1
}
on_box() { ip netns exec "$NS" "${SSH[@]}" "$@"; }
wait_agent() { # $1: the boot's name
  local deadline=$((SECONDS + TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    case $(on_box systemctl is-active netbootpi.service 2>/dev/null) in
      active) echo "TIME image-$1-ready $((SECONDS - BOOT_T0))"; pass "$1: the agent is ready ($((SECONDS - BOOT_T0)) s after qemu started)"; return 0 ;;
      failed) fail "$1: the agent's unit failed"; on_box journalctl -u netbootpi --no-pager -n 30 >&2; return 1 ;;
    esac
    sleep 2
  done
  fail "$1: the agent not ready within $TIMEOUT s"; on_box journalctl -u netbootpi --no-pager -n 30 >&2; return 1
}
client_dhcp() { # prints the address the client got, or nothing; $1: seconds
  ip netns exec "$NSC" timeout "$1" udhcpc -f -q -n -i cl0 -t 4 -T 2 -s /bin/true -O hostname 2>&1 | sed -n 's/.*lease of \([0-9.]*\) obtained.*/\1/p' | head -1
}

# ---- boot 1: no site file
ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=br0 --bind-interfaces \
  --dhcp-range=10.77.0.50,10.77.0.60,1h --dhcp-host=$BOXMAC,$BOX --dhcp-ignore='tag:!known' \
  --dhcp-leasefile="$RUN/dnsmasq.leases" --log-dhcp >"$RUN/dnsmasq.log" 2>&1 &
DPID=$!
log "boot 1 (no site file)"
boot first || finish
wait_ssh first || finish
if ip netns exec "$NS" ssh -o UserKnownHostsFile="$RUN/known_hosts" -o BatchMode=yes -o PubkeyAuthentication=no \
     -o PreferredAuthentications=password,keyboard-interactive -o ConnectTimeout=5 root@$BOX true 2>"$RUN/pw.err"; then
  fail "first: a login without a key was let in"
elif grep -q 'Permission denied (publickey)' "$RUN/pw.err"; then pass "first: password login refused (publickey only)"
else fail "first: password login: $(cat "$RUN/pw.err")"; fi
if on_box touch /probe 2>/dev/null; then fail "first: / is writable"
else [ "$(on_box findmnt -no OPTIONS / | cut -d, -f1)" = ro ] && pass "first: / is read-only" || fail "first: / not mounted ro"; fi
state=$(on_box systemctl is-active netbootpi.service 2>/dev/null)
[ "$state" = inactive ] && pass "first: without a site file the agent does not run" || fail "first: the agent is $state without a site file"
got=$(client_dhcp 12)
[ -z "$got" ] && pass "first: no DHCP offer to a client without a site file" || fail "first: a client got $got without a site file"
on_box cat /boot/firmware/netbootpi/first-boot.log > "$RUN/first-boot-1.log" 2>&1
grep -q 'no site.yaml' "$RUN/first-boot-1.log" && pass "first: first-boot.log says there is no site file" || fail "first: first-boot.log: $(cat "$RUN/first-boot-1.log")"
KEY1=$(ip netns exec "$NS" ssh-keyscan -t ed25519 $BOX 2>/dev/null | awk '{print $3}')
MID1=$(on_box cat /etc/machine-id)

# ---- the user's site file, put on the card and read
cat > "$RUN/site.yaml" <<YAML
site: { name: imagetest, domain: lab.internal }
networks:
  mgmt:
    role: management
    interface: eth0
    address: $BOX/24
    dhcp: { mode: authoritative, range: 10.77.0.100-10.77.0.150, lease: 1h }
profiles:
  rescue: { kernel: rescue/vmlinuz }
defaults: { profile: rescue }
YAML
kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null; DPID=
ip netns exec "$NS" scp -q -i "$RUN/id" -o UserKnownHostsFile="$RUN/known_hosts" -o BatchMode=yes "$RUN/site.yaml" root@$BOX:/run/site.yaml
on_box 'mount -o remount,rw /boot/firmware && cp /run/site.yaml /boot/firmware/netbootpi/site.yaml && mount -o remount,ro /boot/firmware && systemctl restart netbootpi-card.service && systemctl start netbootpi.service' \
  || fail "first: reading the card again and starting the agent"
wait_agent first || finish
got1=$(client_dhcp 30)
case $got1 in 10.77.0.1[0-4][0-9]|10.77.0.150) pass "first: a DHCP client got $got1 from the box" ;; *) fail "first: the DHCP client got '${got1}' from the box" ;; esac
script=$(ip netns exec "$NS" curl -sf --max-time 10 "http://$BOX/boot/$CLIENTMAC.ipxe")
case $script in '#!ipxe'*) pass "first: the box serves the client's iPXE script over HTTP" ;; *) fail "first: the client's iPXE script: '${script:0:80}'" ;; esac
sed 's/lease: 1h/lease: 2h/' "$RUN/site.yaml" > "$RUN/site2.yaml"
ip netns exec "$NS" scp -q -i "$RUN/id" -o UserKnownHostsFile="$RUN/known_hosts" -o BatchMode=yes "$RUN/site2.yaml" root@$BOX:/run/site2.yaml
on_box netbootpi site apply /run/site2.yaml >"$RUN/apply.log" 2>&1 && pass "first: a site edit applied through the agent" || fail "first: site apply: $(cat "$RUN/apply.log")"

# ---- boot 2: the same card after a reboot
on_box systemctl reboot 2>/dev/null
deadline=$((SECONDS + 120)); while kill -0 "$QPID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 1; done
kill -0 "$QPID" 2>/dev/null && { fail "the reboot did not end the VM within 120 s"; finish; }
wait "$QPID" 2>/dev/null; QPID=
grep -q 'systemd.machine_id=' <(mtype -i "$FAT" ::cmdline.txt) && pass "first: the card's cmdline.txt keeps the machine-id" || fail "first: cmdline.txt has no systemd.machine_id="
log "boot 2"
boot second || finish
wait_ssh second || finish
[ "$(ip netns exec "$NS" ssh-keyscan -t ed25519 $BOX 2>/dev/null | awk '{print $3}')" = "$KEY1" ] && pass "second: the same SSH host key" || fail "second: the SSH host key changed"
[ "$(on_box cat /etc/machine-id)" = "$MID1" ] && pass "second: the same machine-id" || fail "second: the machine-id changed"
wait_agent second || finish
on_box "grep -q 'lease: 2h' /etc/netbootpi/site.yaml" && pass "second: the site edit is still there" || fail "second: the site edit is gone"
on_box test -s /etc/systemd/network/50-netbootpi-eth0.network && pass "second: the network the agent applied is still there (/etc/systemd/network on the data partition)" \
  || fail "second: no /etc/systemd/network/50-netbootpi-eth0.network"
got2=$(client_dhcp 30)
[ -n "$got1" ] && [ "$got2" = "$got1" ] && pass "second: the client's lease is the same ($got2)" || fail "second: the client got '$got2', before '$got1'"
mtype -i "$FAT" ::netbootpi/first-boot.log > "$RUN/first-boot-2.log" 2>&1
grep -q 'site.yaml: as when last used' "$RUN/first-boot-2.log" && pass "second: first-boot.log: the card's site file as when last used" || fail "second: first-boot.log: $(cat "$RUN/first-boot-2.log")"
on_box systemctl --failed --no-legend --plain > "$RUN/failed" 2>&1
[ ! -s "$RUN/failed" ] && pass "second: no failed unit" || fail "second: failed units: $(tr '\n' ' ' < "$RUN/failed")"
on_box systemctl poweroff 2>/dev/null
echo "TIME image-test $((SECONDS - T0))"
finish
