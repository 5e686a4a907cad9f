#!/usr/bin/env bash
# Redfish's one-time boot override on a real machine: a qemu VM (SeaBIOS + the NIC's iPXE ROM) whose profile in the
# site file is its local disk (profile disk: local: true, pxe: rescue), behind its QMP socket, driven only by the
# curl recipes of docs/compat.md against netbootpi's Redfish service:
#   1. ComputerSystem.Reset On: the VM network-boots, is served "boot the local disk", and goes back to its firmware;
#   2. PATCH Boot {BootSourceOverrideTarget: Pxe, BootSourceOverrideEnabled: Once}, then Reset ForceRestart: the
#      next boot goes through the box's iPXE script to the rescue profile's kernel (its initramfs prints E2E-HANG);
#   3. the override is used up: Boot reads None/Disabled again and the host's script is "boot the local disk" again.
# Prints PASS/FAIL lines; exits non-zero on any failure; removes the namespace and processes always.
# Usage: tests/e2e/redfish-boot.sh [--keep]   (root; after `dotnet build -c Release`)
set -uo pipefail
KEEP=0; [ "${1:-}" = --keep ] && KEEP=1
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../.." && pwd)
NBP=${NETBOOTPI:-$REPO/src/Agent/bin/Release/net10.0/netbootpi}
[ -x "$NBP" ] || { echo "FAIL redfish-boot: $NBP not built (dotnet build -c Release)"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "FAIL redfish-boot: needs root (network namespaces, taps)"; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "FAIL redfish-boot: qemu-system-x86_64 missing (apt-get install qemu-system-x86)"; exit 1; }
CACHE=$("$HERE/artifacts.sh") || { echo "FAIL redfish-boot: building the boot artifacts"; exit 1; }

NS=nbprf$$; RUN=$(mktemp -d /tmp/netbootpi-redfish-boot.XXXXXX); SRV=10.98.0.1; MGMT=127.0.0.7
MAC=$(printf '52:54:00:e3:%02x:00' $(( $$ % 256 ))); PASSWORD="operator password $$"
PIDS=(); T0=$(date +%s.%N)
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}'; }
log() { printf '[%6ss] %s\n' "$(elapsed)" "$*" >> "$RUN/harness.log"; }
cleanup() {
  trap '' INT TERM
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do for _ in $(seq 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  ip netns del "$NS" 2>/dev/null
  if [ $KEEP = 1 ]; then echo "redfish-boot: logs kept in $RUN" >&2; else rm -rf "$RUN"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
results=(); pass() { results+=("PASS redfish-boot: $*"); }; fail() { results+=("FAIL redfish-boot: $*"); }
finish() {
  printf '%s\n' "${results[@]}"
  if grep -q '^FAIL' <<<"$(printf '%s\n' "${results[@]}")"; then
    KEEP=1; echo "--- agent (tail)" >&2; tail -n 40 "$RUN/agent.log" >&2; echo "--- vm serial (tail)" >&2; tail -c 1500 "$RUN/serial.log" >&2; echo >&2
    exit 1
  fi
  exit 0
}

# Waits (bounded) until the command succeeds.
wait_for() { local limit=$1; shift; local until=$(( $(date +%s) + limit )); while [ "$(date +%s)" -lt $until ]; do "$@" && return 0; sleep 0.2; done; return 1; }
# The Redfish recipes as docs/compat.md gives them, run in the namespace (the box's management address is there).
redfish() { ip netns exec "$NS" curl -sk -u "olive:$PASSWORD" "$@"; }
events_of() { "$NBP" events vm --config "$RUN/site.yaml" 2>/dev/null; }

ip netns add "$NS" || { echo "FAIL redfish-boot: ip netns add"; exit 1; }
ip -n "$NS" link set lo up
ip -n "$NS" link add br0 type bridge forward_delay 0 stp_state 0
ip -n "$NS" addr add $SRV/24 dev br0
ip -n "$NS" link set br0 up
ip -n "$NS" tuntap add tap0 mode tap
ip -n "$NS" link set tap0 master br0 up

mkdir -p "$RUN"/{data/e2e,state}
cp "$CACHE/kernel/vmlinuz" "$CACHE/kernel/initrd.img" "$RUN/data/e2e/"
cat > "$RUN/site.yaml" <<YAML
site: { name: rfboot, domain: rfboot.internal }
server: { state_dir: $RUN/state, data_dir: $RUN/data }
networks:
  lab: { interface: br0, address: $SRV/24, dhcp: { mode: authoritative, range: 10.98.0.100-10.98.0.150, lease: 1h } }
  mgmt: { interface: lo, address: $MGMT/8, role: management }
profiles:
  disk: { local: true, pxe: rescue }
  rescue: { kernel: e2e/vmlinuz, initrd: e2e/initrd.img, cmdline: console=ttyS0 quiet panic=-1 e2e_mode=hang }
defaults: { profile: none }
hosts:
  vm: { mac: $MAC, ip: 10.98.0.10, profile: disk, power: { driver: qmp, socket: $RUN/vm.qmp } }
YAML

# The VM, stopped (-S) until the box powers it on; its NIC is its only boot device. No -no-reboot: a reset reboots it.
ip netns exec "$NS" qemu-system-x86_64 -machine q35,accel=tcg -cpu max -m 256 -smp 1 -display none -S \
  -serial file:"$RUN/serial.log" -monitor none -no-user-config -nodefaults -qmp unix:"$RUN/vm.qmp",server=on,wait=off \
  -netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=$MAC,bootindex=1 -boot n \
  </dev/null >"$RUN/qemu.out" 2>&1 &
PIDS+=($!)

NETBOOTPI_CONTROL_SOCKET=$RUN/control.sock ip netns exec "$NS" "$NBP" run --config "$RUN/site.yaml" --no-dns --network-api \
  --control-socket "$RUN/control.sock" --control-group nogroup >"$RUN/agent.log" 2>&1 &
PIDS+=($!)
wait_for 60 grep -q ' ready: ' "$RUN/agent.log" || { fail "netbootpi did not start"; finish; }
printf '%s\n' "$PASSWORD" | "$NBP" user add olive --role operator --password-stdin --socket "$RUN/control.sock" >/dev/null \
  || { fail "user add olive"; finish; }
log "netbootpi ready, olive added"

# 1. Power on: the host's profile says its local disk, so the box's script sends it back to its firmware.
code=$(redfish -o /dev/null -w '%{http_code}' -X POST "https://$MGMT/redfish/v1/Systems/vm/Actions/ComputerSystem.Reset" --json '{"ResetType": "On"}')
[ "$code" = 204 ] && pass "Reset On answered 204" || fail "Reset On answered $code"
if wait_for 90 bash -c "'$NBP' events vm --config '$RUN/site.yaml' 2>/dev/null | grep -q '/boot/'"; then pass "the VM fetched its script (its profile: the local disk)"
else fail "no script fetch by the VM within 90 s"; finish; fi
log "first boot: script fetched"

# 2. The override, then a restart: this boot goes to the rescue kernel over the network.
code=$(redfish -o /dev/null -w '%{http_code}' -X PATCH "https://$MGMT/redfish/v1/Systems/vm" \
  --json '{"Boot": {"BootSourceOverrideTarget": "Pxe", "BootSourceOverrideEnabled": "Once"}}')
[ "$code" = 204 ] && pass "PATCH Boot Pxe Once answered 204" || fail "PATCH Boot answered $code"
boot=$(redfish "https://$MGMT/redfish/v1/Systems/vm" | python3 -c 'import json,sys; b=json.load(sys.stdin)["Boot"]; print(b["BootSourceOverrideTarget"], b["BootSourceOverrideEnabled"])')
[ "$boot" = "Pxe Once" ] && pass "Boot reads Pxe Once" || fail "Boot reads '$boot'"
grep -aq "E2E-HANG $MAC" "$RUN/serial.log" && fail "the VM booted the rescue kernel before the override (its profile is the disk)"
code=$(redfish -o /dev/null -w '%{http_code}' -X POST "https://$MGMT/redfish/v1/Systems/vm/Actions/ComputerSystem.Reset" --json '{"ResetType": "ForceRestart"}')
[ "$code" = 204 ] && pass "Reset ForceRestart answered 204" || fail "Reset ForceRestart answered $code"
if wait_for 120 grep -aq "E2E-HANG $MAC" "$RUN/serial.log"; then pass "the next boot went through the box's script to the rescue kernel ($(grep -ao "E2E-DHCP $MAC [0-9.]*" "$RUN/serial.log" | tail -n1))"
else fail "the VM did not reach the rescue kernel within 120 s of the restart"; fi
log "second boot: rescue kernel"
ev=$(events_of)
grep -q 'next boot: network boot of profile rescue served once (set by user:olive)' <<<"$ev" && pass "the override's use is a boot event of vm" || fail "events of vm: $ev"
grep -q 'e2e/vmlinuz' <<<"$ev" && pass "the rescue kernel's fetch is a boot event of vm" || fail "no kernel fetch in the events of vm"

# 3. Used up: Boot is back to none, and the host's script is its disk again.
boot=$(redfish "https://$MGMT/redfish/v1/Systems/vm" | python3 -c 'import json,sys; b=json.load(sys.stdin)["Boot"]; print(b["BootSourceOverrideTarget"], b["BootSourceOverrideEnabled"])')
[ "$boot" = "None Disabled" ] && pass "Boot reads None Disabled after the boot" || fail "Boot reads '$boot' after the boot"
script=$(ip netns exec "$NS" curl -s "http://$SRV/boot/$MAC.ipxe")
grep -q 'boots from its local disk' <<<"$script" && ! grep -q '^kernel ' <<<"$script" && pass "the host's script is its local disk again" || fail "the script after the boot: $script"
log "done"
finish
