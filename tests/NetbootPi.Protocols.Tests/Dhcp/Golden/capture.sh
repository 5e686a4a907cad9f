#!/usr/bin/env bash
# Captures the first DHCPDISCOVER of real clients (busybox udhcpc, plain and with PXE-style options) into NAME.hex here; then regenerate the decoded text with
#   NETBOOTPI_REGENERATE_GOLDEN=1 dotnet test tests/NetbootPi.Protocols.Tests --filter FullyQualifiedName~Golden
# and review the .txt diff. Needs root (network namespaces), python3, busybox udhcpc.
set -euo pipefail
cd "$(dirname "$0")"
[ "$(id -u)" -eq 0 ] || { echo "capture.sh: run as root" >&2; exit 1; }
nss=nbpi-cap-s-$$ nsc=nbpi-cap-c-$$ vs=capvs$$ vc=capvc$$
vs=${vs:0:15} vc=${vc:0:15}
work=$(mktemp -d)
cleanup() { ip netns del "$nss" 2>/dev/null || true; ip netns del "$nsc" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ip netns add "$nss"; ip netns add "$nsc"
ip link add "$vs" netns "$nss" type veth peer name "$vc" netns "$nsc"
ip -n "$nss" addr add 10.231.0.1/24 dev "$vs"
ip -n "$nss" link set "$vs" up; ip -n "$nsc" link set "$vc" up
sleep 2 # veth carrier; a DISCOVER sent before it is lost

# capture NAME CLIENT-COMMAND...: listen on 67 in the server namespace, run the client, keep the first datagram.
capture() {
  local name=$1; shift
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
# dhclient is not captured yet: its DISCOVERs (sent over LPF) do not reach this UDP listener across the veth
# pair, for reasons not investigated; tcpdump on the server side would be the next thing to try.
