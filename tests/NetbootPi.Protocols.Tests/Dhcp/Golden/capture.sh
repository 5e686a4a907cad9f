#!/usr/bin/env bash
# Captures the first DHCPDISCOVER of real clients into NAME.hex here: busybox udhcpc (plain and with PXE-style
# options), ISC dhclient (plain and posing as a PXE ROM, then as iPXE, through its config), the iPXE ROM of
# qemu's virtio NIC in a BIOS and a UEFI VM, and OVMF's own PXE client. Then regenerate the decoded text with
#   NETBOOTPI_REGENERATE_GOLDEN=1 dotnet test tests/NetbootPi.Protocols.Tests --filter FullyQualifiedName~Golden
# and review the .txt diff. Names as arguments capture only those (e.g. capture.sh ipxe-bios-discover). Needs root (network namespaces), python3, busybox udhcpc, isc-dhcp-client, tcpdump,
# qemu-system-x86 with ipxe-qemu, ovmf. Only this script touches the network; the tests read the stored files.
set -euo pipefail
cd "$(dirname "$0")"
[ "$(id -u)" -eq 0 ] || { echo "capture.sh: run as root" >&2; exit 1; }
nss=nbpi-cap-s-$$ nsc=nbpi-cap-c-$$ vs=capvs$$ vc=capvc$$
vs=${vs:0:15} vc=${vc:0:15}
work=$(mktemp -d)
cleanup() { ip netns del "$nss" 2>/dev/null || true; ip netns del "$nsc" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
only=" $* "
wanted() { [ "$only" = "  " ] || [[ "$only" == *" $1 "* ]]; }
ip netns add "$nss"; ip netns add "$nsc"
ip link add "$vs" netns "$nss" type veth peer name "$vc" netns "$nsc"
ip -n "$nss" addr add 10.231.0.1/24 dev "$vs"
ip -n "$nss" link set "$vs" up; ip -n "$nsc" link set "$vc" up
sleep 2 # veth carrier; a DISCOVER sent before it is lost

# capture NAME CLIENT-COMMAND...: listen on 67 in the server namespace, run the client, keep the first datagram.
capture() {
  local name=$1; shift
  wanted "$name" || return 0
  ip netns exec "$nss" python3 - "$vs" "$work/$name.bin" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, 25, sys.argv[1].encode() + b"\0")  # SO_BINDTODEVICE
s.bind(("0.0.0.0", 67))
s.settimeout(20)
data, _ = s.recvfrom(4096)
open(sys.argv[2], "wb").write(data)
PY
  local listener=$!
  sleep 0.5
  timeout 15 ip netns exec "$nsc" "$@" > "$work/$name.log" 2>&1 &
  local client=$!
  wait "$listener" || { echo "capture.sh: no datagram from $name; client said:" >&2; cat "$work/$name.log" >&2; exit 1; }
  kill "$client" 2>/dev/null || true
  wait "$client" 2>/dev/null || true
  # 32 bytes per line, so diffs point at the field that changed.
  od -An -v -tx1 -w32 "$work/$name.bin" | tr -d ' ' > "$name.hex"
  echo "captured $name ($(stat -c %s "$work/$name.bin") bytes)"
}

capture udhcpc-discover busybox udhcpc -i "$vc" -n -q -t 5 -T 2 -s /bin/true
capture udhcpc-pxe-discover busybox udhcpc -i "$vc" -n -q -t 5 -T 2 -s /bin/true \
  -V PXEClient:Arch:00007:UNDI:003016 -x 0x5d:0007 -x 0x4d:0469505845 -O 66 -O 67

# udp_payload PCAP OUT: the UDP payload of the first IPv4 packet to port 67 in a pcap file (Ethernet link type).
udp_payload() {
  python3 - "$1" "$2" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
order = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
off = 24
while off + 16 <= len(data):
    caplen = struct.unpack(order + "I", data[off + 8:off + 12])[0]
    frame = data[off + 16:off + 16 + caplen]
    off += 16 + caplen
    if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != 17:
        continue
    ihl = (frame[14] & 0x0F) * 4
    udp = frame[14 + ihl:]
    if struct.unpack(">H", udp[2:4])[0] != 67:
        continue
    length = struct.unpack(">H", udp[4:6])[0]
    open(sys.argv[2], "wb").write(udp[8:length])
    sys.exit(0)
sys.exit(1)
PY
}

# sniff NAME IFACE-IN-SERVER-NS CLIENT-START-COMMAND...: tcpdump on the server side (dhclient sends over a
# packet socket and iPXE is a VM: a UDP listener is not what sees them reliably), keep the first DISCOVER.
sniff() {
  local name=$1 dev=$2; shift 2
  wanted "$name" || return 0
  ip netns exec "$nss" tcpdump -i "$dev" -n --immediate-mode -U -Z root -c 1 -w "$work/$name.pcap" \
    'udp dst port 67 and udp[8] = 1 and udp[244:4] = 0x63825363' > "$work/$name.tcpdump" 2>&1 &
  local sniffer=$!
  for _ in $(seq 50); do [ -s "$work/$name.pcap" ] && break; sleep 0.1; done
  "$@" > "$work/$name.log" 2>&1 &
  local client=$!
  local waited=0
  while kill -0 "$sniffer" 2>/dev/null && [ $waited -lt 600 ]; do sleep 0.1; waited=$((waited + 1)); done
  kill "$client" 2>/dev/null || true
  wait "$client" 2>/dev/null || true
  if kill -0 "$sniffer" 2>/dev/null; then
    kill "$sniffer"; echo "capture.sh: no DISCOVER from $name; client said:" >&2; cat "$work/$name.log" >&2; exit 1
  fi
  udp_payload "$work/$name.pcap" "$work/$name.bin" || { echo "capture.sh: $name: no DHCP payload in the capture" >&2; exit 1; }
  od -An -v -tx1 -w32 "$work/$name.bin" | tr -d ' ' > "$name.hex"
  echo "captured $name ($(stat -c %s "$work/$name.bin") bytes)"
}

# dhclient -d -1: one attempt in the foreground; its own lease and pid files, a script that does nothing.
dhclient_run() {
  local name=$1 statements=$2
  printf '%s\nrequest subnet-mask, routers, domain-name-servers, domain-name;\n' "$statements" > "$work/$name.conf"
  # exec: the caller's background pid is then timeout's, and stopping it stops dhclient too.
  exec timeout 30 ip netns exec "$nsc" dhclient -d -1 -cf "$work/$name.conf" -lf "$work/$name.leases" \
    -pf "$work/$name.pid" -sf /bin/true "$vc"
}
pxe_statements='send vendor-class-identifier "PXEClient:Arch:00000:UNDI:002001";
send pxe-system-type 0;'
sniff dhclient-discover "$vs" dhclient_run dhclient-discover ""
sniff dhclient-pxe-discover "$vs" dhclient_run dhclient-pxe-discover "$pxe_statements"
sniff dhclient-ipxe-discover "$vs" dhclient_run dhclient-ipxe-discover "$pxe_statements
send user-class \"iPXE\";"

# VMs with nothing to boot but the network, on a tap in the server namespace.
tap=captap$$; tap=${tap:0:15}
ip -n "$nss" tuntap add "$tap" mode tap
ip -n "$nss" link set "$tap" up
# vm FIRMWARE ROM: bios (SeaBIOS) or uefi (OVMF, package ovmf); ROM "" keeps qemu's iPXE ROM, "none" removes it
# so that OVMF's own PXE client asks (client architecture 7).
vm() {
  local fw=() rom=""
  if [ "$1" = uefi ]; then
    cp /usr/share/OVMF/OVMF_VARS_4M.fd "$work/vars.fd"
    fw=(-drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
        -drive if=pflash,format=raw,unit=1,file="$work/vars.fd")
  fi
  [ "$2" = none ] && rom=",romfile="
  exec timeout 120 ip netns exec "$nss" qemu-system-x86_64 -machine q35,accel=tcg -m 256 "${fw[@]}" -display none \
    -serial none -monitor none -netdev tap,id=n0,ifname="$tap",script=no,downscript=no \
    -device virtio-net-pci,netdev=n0,mac=52:54:00:6e:b0:01,bootindex=1$rom -boot n -no-reboot
}
sniff ipxe-bios-discover "$tap" vm bios ""
sniff ipxe-efi-discover "$tap" vm uefi ""
sniff ovmf-pxe-discover "$tap" vm uefi none
