#!/usr/bin/env bash
# Whole network boots of qemu VMs from netbootpi alone, in a private network namespace:
#   BIOS:  SeaBIOS + the NIC's iPXE ROM -> DHCP -> the host's iPXE script -> kernel + initrd over HTTP
#   UEFI:  OVMF's own PXE (no NIC ROM) -> DHCP (arch 7) -> TFTP snponly.efi -> iPXE -> script -> kernel + initrd
# Two VMs at once: vm0 is in the site file (static address, its own overlay), vm1 is unknown (defaults.profile).
# In the initramfs each VM runs DHCP, fetches its overlay, prints it, PUTs a changed one back and powers off.
# Prints PASS/FAIL lines; exits non-zero on any failure or timeout; removes the namespace and processes always.
# Each VM's time from qemu start to its first initramfs marker is printed as "TIME vmN SECONDS".
# Usage: tests/e2e/boot.sh [--fw bios|uefi] [--vms 1|2] [--boots N] [--timeout SECS] [--keep] [--console] [--server netbootpi|standin]
#        [--attack http|tftp|inform]
#        (root; after `dotnet build -c Release`). --console streams vm0's serial console to the terminal.
#        --server standin serves the same boot from dnsmasq (DHCP, TFTP, RA) + nginx instead, for bench/boot.sh;
#        it checks the boot and the addresses only (the stand-in has no overlay upload or boot events).
#        --boots N boots the VMs N times in a row from the same server, a TIME line each (bench/boot.sh).
#        --turns FIFO prints "TURN-WAIT b" and waits for a line on FIFO before boot b, and prints "TURN-DONE b"
#        once that boot's VMs are gone; after the last, "TURN-WAIT end" and a last line before it checks and
#        cleans up (bench/boot.sh takes turns between two servers that are up at once); no line within
#        15 minutes ends the run as a failure.
#        --attack KIND boots while tests/e2e/attack.py KIND runs in a namespace of its own on the same bridge
#        (10.99.0.200): a slow-loris HTTP client, half-open TFTP transfers or an INFORM flood
#        (docs/reliability.md). Checks that the attack reached the box, that each VM reached its initramfs
#        within 45 s of its start, and that the agent's resident memory grew by at most 64 MiB during the
#        attack; prints "ATTACK ..." and "RSS ..." lines.
set -uo pipefail
FW=bios; TIMEOUT=150; KEEP=0; CONSOLE=0; NVMS=2; SERVER=netbootpi; BOOTS=1; TURNS=; ATTACK=
while [ $# -gt 0 ]; do case "$1" in
  --fw) FW=$2; shift;; --timeout) TIMEOUT=$2; shift;; --keep) KEEP=1;; --console) CONSOLE=1;;
  --vms) NVMS=$2; shift;; --server) SERVER=$2; shift;; --boots) BOOTS=$2; shift;; --turns) TURNS=$2; shift;;
  --attack) ATTACK=$2; shift; case "$ATTACK" in http|tftp|inform) ;; *) echo "boot.sh: --attack http, tftp or inform" >&2; exit 2;; esac;;
  *) echo "boot.sh: unknown argument $1" >&2; exit 2;; esac; shift; done
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../.." && pwd)
NBP=${NETBOOTPI:-$REPO/src/Agent/bin/Release/net10.0/netbootpi}
[ -x "$NBP" ] || { echo "FAIL e2e-$FW: $NBP not built (dotnet build -c Release)"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "FAIL e2e-$FW: needs root (network namespaces, taps)"; exit 1; }
CACHE=$("$HERE/artifacts.sh") || { echo "FAIL e2e-$FW: building the boot artifacts"; exit 1; }

NS=nbpe2e$$; RUN=$(mktemp -d /tmp/netbootpi-e2e-$FW.XXXXXX); SRV=10.99.0.1
PIDS=(); QPIDS=(); T0=$(date +%s.%N)
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}'; }
log() { printf '[%6ss] %s\n' "$(elapsed)" "$*" | tee -a "$RUN/harness.log" >&2; }
cleanup() {
  trap '' INT TERM   # a second signal must not cut the clean-up short
  for p in "${PIDS[@]}" "${QPIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}" "${QPIDS[@]}"; do for _ in $(seq 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  ip netns del "$NS" 2>/dev/null
  ip netns del "${NS}a" 2>/dev/null
  if [ $KEEP = 1 ]; then echo "e2e: logs kept in $RUN" >&2; else rm -rf "$RUN"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
results=(); pass() { results+=("PASS e2e-$FW: $*"); }; fail() { results+=("FAIL e2e-$FW: $*"); }

# ---- the lab network: one bridge, one tap per VM; IPv6 on the bridge so the box can send router advertisements
ip netns add "$NS" || { echo "FAIL e2e-$FW: ip netns add"; exit 1; }
ip -n "$NS" link set lo up
ip -n "$NS" link add br0 type bridge forward_delay 0 stp_state 0
ip -n "$NS" addr add $SRV/24 dev br0
ip -n "$NS" addr add fd99::1/64 dev br0 nodad
ip -n "$NS" link set br0 up

# ---- the site: files, TFTP root, state
MAC0=$(printf '52:54:00:e2:%02x:00' $(( $$ % 256 ))); MAC1=$(printf '52:54:00:e2:%02x:01' $(( $$ % 256 )))
TOKEN=$(head -c6 /dev/urandom | od -An -tx1 | tr -d ' \n')
mkdir -p "$RUN"/{data/e2e,tftp,state}
cp "$CACHE/kernel/vmlinuz" "$CACHE/kernel/initrd.img" "$RUN/data/e2e/"
cp "$CACHE/loaders/undionly.kpxe" "$CACHE/loaders/snponly.efi" "$RUN/tftp/"
cat > "$RUN/site.yaml" <<YAML
site: { name: e2e, domain: e2e.internal }
server: { state_dir: $RUN/state, data_dir: $RUN/data, tftp_root: $RUN/tftp }
networks:
  lab:
    interface: br0
    address: $SRV/24
    dhcp: { mode: authoritative, range: 10.99.0.100-10.99.0.199, lease: 1h }
profiles:
  e2e:
    kernel: e2e/vmlinuz
    initrd: e2e/initrd.img
    cmdline: console=ttyS0 quiet panic=-1
defaults: { profile: e2e }
hosts:
  vm0: { mac: $MAC0, ip: 10.99.0.10 }
YAML

if [ "$SERVER" = standin ]; then
  # The stand-in: dnsmasq for DHCP (static lease for vm0, no ping probe, iPXE told not to wait for ProxyDHCP),
  # TFTP and IPv6 RAs, nginx for HTTP, serving the same kernel, initrd and an equivalent iPXE script.
  mkdir -p "$RUN/data/boot" "$RUN/nginx"
  printf '#!ipxe\nkernel http://%s/files/e2e/vmlinuz initrd=initrd.img console=ttyS0 quiet panic=-1\ninitrd http://%s/files/e2e/initrd.img\nboot\n' "$SRV" "$SRV" > "$RUN/data/boot/script.ipxe"
  cat > "$RUN/nginx/nginx.conf" <<NGINX
daemon off; user root; worker_processes 1; pid $RUN/nginx/pid; error_log $RUN/nginx/error.log;
events { worker_connections 64; }
http {
  access_log off; sendfile on; default_type application/octet-stream;
  client_body_temp_path $RUN/nginx; proxy_temp_path $RUN/nginx; fastcgi_temp_path $RUN/nginx; uwsgi_temp_path $RUN/nginx; scgi_temp_path $RUN/nginx;
  server { listen $SRV:80; location /files/ { alias $RUN/data/; } location /boot/ { root $RUN/data; } }
}
NGINX
  ip netns exec "$NS" nginx -c "$RUN/nginx/nginx.conf" >"$RUN/nginx.out" 2>&1 &
  PIDS+=($!)
  ip netns exec "$NS" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 -u root -g root \
    --interface=br0 --bind-interfaces --pid-file="$RUN/dnsmasq.pid" --dhcp-leasefile="$RUN/dnsmasq.leases" \
    --dhcp-range=10.99.0.100,10.99.0.199,255.255.255.0,1h --dhcp-host="$MAC0,10.99.0.10" \
    --enable-tftp --tftp-root="$RUN/tftp" --no-ping \
    --dhcp-match=set:ipxe,175 --dhcp-match=set:efi64,option:client-arch,7 --dhcp-match=set:efi64,option:client-arch,9 \
    --dhcp-boot=tag:!ipxe,tag:!efi64,undionly.kpxe --dhcp-boot=tag:!ipxe,tag:efi64,snponly.efi \
    --dhcp-boot=tag:ipxe,http://$SRV/boot/script.ipxe --dhcp-option=tag:ipxe,encap:175,176,1b \
    --enable-ra --dhcp-range=fd99::,ra-only,64 --log-facility="$RUN/dnsmasq.log" >"$RUN/dnsmasq.out" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do ip netns exec "$NS" bash -c "exec 3<>/dev/tcp/$SRV/80" 2>/dev/null && break; sleep 0.1; done
  log "stand-in (dnsmasq + nginx) ready"
else
ip netns exec "$NS" "$NBP" run --config "$RUN/site.yaml" >"$RUN/agent.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 300); do grep -q ' ready: ' "$RUN/agent.log" && break; kill -0 "${PIDS[0]}" 2>/dev/null || break; sleep 0.1; done
if ! grep -q ' ready: ' "$RUN/agent.log"; then echo "FAIL e2e-$FW: netbootpi did not start"; cat "$RUN/agent.log" >&2; exit 1; fi
log "netbootpi ready"

# ---- vm0's overlay, uploaded through the product's own PUT from vm0's address (then the address is removed)
if [ "$SERVER" = netbootpi ]; then
ovl=$(mktemp -d); mkdir -p "$ovl/etc"; echo "overlay-of-vm0-$TOKEN" > "$ovl/etc/e2e-value"
tar -czf "$RUN/seed.tar.gz" -C "$ovl" etc; rm -rf "$ovl"
ip -n "$NS" addr add 10.99.0.10/32 dev br0
seed=$(ip netns exec "$NS" curl -s -o /dev/null -w '%{http_code}' --interface 10.99.0.10 -T "$RUN/seed.tar.gz" "http://$SRV/apkovl/$MAC0.tar.gz")
ip -n "$NS" addr del 10.99.0.10/32 dev br0
[ "$seed" = 201 ] || [ "$seed" = 204 ] || [ "$seed" = 200 ] || { echo "FAIL e2e-$FW: seeding vm0's overlay got HTTP $seed"; exit 1; }
fi
fi

# ---- the attacker: its own namespace, a veth on the VMs' bridge, tests/e2e/attack.py until the boots are over
if [ -n "$ATTACK" ]; then
  [ "$SERVER" = netbootpi ] || { echo "FAIL e2e-$FW: --attack needs --server netbootpi"; exit 1; }
  ip netns add "${NS}a" && ip -n "${NS}a" link set lo up
  ip -n "$NS" link add att0 type veth peer name eth0 netns "${NS}a"
  ip -n "$NS" link set att0 master br0 up
  ip -n "${NS}a" addr add 10.99.0.200/24 dev eth0
  ip -n "${NS}a" link set eth0 up
  AGENT=${PIDS[0]}
  rss() { awk '/^VmRSS:/ {print int($2 / 1024)}' "/proc/$AGENT/status"; }
  RSS_QUIET=$(rss)
  ip netns exec "${NS}a" env ATTACK_ADDRESS=10.99.0.200 python3 "$HERE/attack.py" "$ATTACK" $SRV >"$RUN/attack.log" 2>&1 &
  ATTACKER=$!; PIDS+=($ATTACKER)
  ( peak=0; while kill -0 "$AGENT" 2>/dev/null; do r=$(rss); [ "${r:-0}" -gt $peak ] && { peak=$r; echo $peak > "$RUN/rss-peak"; }; sleep 0.2; done ) &
  PIDS+=($!)
  sleep 3   # the attack at full strength before the first VM starts
  log "attack $ATTACK running (agent RSS $RSS_QUIET MiB before it)"
fi

# ---- the VMs
MACS=("$MAC0" "$MAC1"); VMS=$(seq 0 $((NVMS - 1)))
for i in $VMS; do
  ip -n "$NS" tuntap add tap$i mode tap
  ip -n "$NS" link set tap$i master br0 up
done
declare -A VSTART DONE TIMES
# Starts the VMs and waits until each has finished (or failed, or the timeout passed); fills DONE and TIMES.
boot_vms() {
  QPIDS=(); VSTART=(); DONE=(); TIMES=()
  for i in $VMS; do
    fwargs=(); rom=""
    if [ "$FW" = uefi ]; then
      cp /usr/share/OVMF/OVMF_VARS_4M.fd "$RUN/vars-$i.fd"
      fwargs=(-drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
              -drive if=pflash,format=raw,unit=1,file="$RUN/vars-$i.fd")
      rom=",romfile="    # no iPXE ROM: OVMF's own PXE client must fetch snponly.efi over TFTP
    fi
    : > "$RUN/serial-$i.log"
    ip netns exec "$NS" qemu-system-x86_64 -machine q35,accel=tcg -cpu max -m 256 -smp 1 "${fwargs[@]}" \
      -nographic -serial file:"$RUN/serial-$i.log" -monitor none -no-user-config -nodefaults \
      -netdev tap,id=n0,ifname=tap$i,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=${MACS[$i]},bootindex=1$rom \
      -boot n -no-reboot </dev/null >"$RUN/qemu-$i.out" 2>&1 &
    QPIDS+=($!); VSTART[$i]=$(date +%s.%N)
    log "vm$i started (mac ${MACS[$i]})"
  done

  if [ $CONSOLE = 1 ] && [ "${CONSOLE_STARTED:-}" != 1 ]; then
    CONSOLE_STARTED=1
    echo "----- vm0's console (${MACS[0]}) -----" >&2
    # Unbuffered, and without the firmware's screen-clearing escape sequences.
    tail -F -n +1 "$RUN/serial-0.log" 2>/dev/null | sed -u 's/\x1b\[[0-9;?=]*[A-Za-z]//g; s/\x1bc//g; s/\r//g' >&2 &
    PIDS+=($!)
  fi

  local deadline=$(( $(date +%s) + TIMEOUT ))
  while [ "$(date +%s)" -lt $deadline ]; do
    for i in $VMS; do
      if [ -z "${TIMES[$i]:-}" ] && grep -aq "E2E-DHCP ${MACS[$i]}" "$RUN/serial-$i.log"; then
        TIMES[$i]=$(awk -v a="${VSTART[$i]}" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')
      fi
      [ -n "${DONE[$i]:-}" ] && continue
      if grep -aq "E2E-DONE ${MACS[$i]}" "$RUN/serial-$i.log"; then DONE[$i]=ok; log "vm$i done"
      elif grep -aq "E2E-FAIL" "$RUN/serial-$i.log"; then DONE[$i]=fail; log "vm$i failed"
      elif ! kill -0 "${QPIDS[$i]}" 2>/dev/null; then DONE[$i]=fail; log "vm$i exited without a marker"; fi
    done
    local all=1; for i in $VMS; do [ -n "${DONE[$i]:-}" ] || all=0; done
    [ $all = 1 ] && break
    sleep 0.1
  done
  for i in $VMS; do [ -n "${TIMES[$i]:-}" ] && echo "TIME vm$i ${TIMES[$i]}"; done
}

# With --boots N the same VMs boot N times in a row from the same running server (a box that has been up a
# while); the checks below look at the last boot.
# With --turns: says it waits for turn $1, then waits for a line on the FIFO. Opened read-write, so that the
# open never blocks and the wait stays bounded even with no writer.
turn() { echo "TURN-WAIT $1"; read -r -t 900 _ <> "$TURNS" || { fail "no turn ($1) within 15 minutes ($TURNS)"; return 1; }; }
for b in $(seq "$BOOTS"); do
  [ -n "$TURNS" ] && ! turn "$b" && break
  [ "$BOOTS" -gt 1 ] && log "boot $b of $BOOTS"
  boot_vms
  # Reaped here and forgotten: clean-up must not signal a pid the system may since have given to another process.
  for p in "${QPIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  QPIDS=()
  [ -n "$TURNS" ] && echo "TURN-DONE $b"
  [ "$b" = "$BOOTS" ] && break
  for i in $VMS; do [ "${DONE[$i]:-}" = ok ] || break 2; done
done
# With --turns the run ends when told, so that its server is not torn down while another harness boots.
[ -n "$TURNS" ] && turn end
if [ -n "$ATTACK" ]; then
  kill -TERM "$ATTACKER" 2>/dev/null; wait "$ATTACKER" 2>/dev/null
  said=$(grep '^ATTACK ' "$RUN/attack.log"); echo "$said"
  peak=$(cat "$RUN/rss-peak" 2>/dev/null || echo 0)
  echo "RSS agent: $RSS_QUIET MiB before the attack, at most $peak MiB during it"
  [ "$peak" -le $((RSS_QUIET + 64)) ] && pass "the agent's memory grew by $((peak - RSS_QUIET)) MiB under the $ATTACK attack (at most 64)" \
    || fail "the agent's memory grew from $RSS_QUIET to $peak MiB under the $ATTACK attack"
  case "$ATTACK" in
    http) n=$(sed -n 's/.* \([0-9]*\) closed by the server.*/\1/p' <<<"$said")
          [ "${n:-0}" -gt 0 ] && grep -q 'connections open, the most one address may' "$RUN/agent.log" \
            && pass "the slow-loris client was held to its address's connections ($n closed at the cap)" || fail "the slow-loris attack: '$said'";;
    tftp) n=$(sed -n 's/.*(\([0-9]*\) for this address).*/\1/p' <<<"$said")
          [ "${n:-0}" -gt 0 ] && pass "the half-open transfers were held to their address's slots ($n busy errors for it)" || fail "the TFTP attack: '$said'";;
    inform) n=$(sed -n 's/.*, \([0-9]*\) replies read.*/\1/p' <<<"$said")
          [ "${n:-0}" -gt 0 ] && pass "the INFORM flood reached the box ($said)" || fail "the INFORM flood: '$said'";;
  esac
  [ -s "$RUN/attack.log" ] && grep -v '^ATTACK ' "$RUN/attack.log" >&2
  # A quiet boot takes 13-14 s (UEFI) here; 82 s under the TFTP attack before each address had its own slots.
  for i in $VMS; do
    t=${TIMES[$i]:-}
    [ -n "$t" ] && awk -v t="$t" 'BEGIN { exit !(t <= 45) }' && pass "vm$i reached its initramfs in $t s under the $ATTACK attack (at most 45)" \
      || fail "vm$i under the $ATTACK attack: ${t:-no} time to its initramfs (at most 45 s)"
  done
fi
# The console's escape sequences can share a line with a marker: keep from the marker on.
marker() { grep -ao "$1 ${MACS[$2]}[^$(printf '\r')]*" "$RUN/serial-$2.log" | tail -n1; }

for i in $VMS; do
  if [ "${DONE[$i]:-}" = ok ]; then pass "vm$i booted from the box and ran its initramfs ($(marker E2E-DHCP $i))"
  else fail "vm$i did not finish in ${TIMEOUT}s"; echo "--- vm$i serial (tail)" >&2; tail -c 2000 "$RUN/serial-$i.log" >&2; echo >&2; fi
done
[ "$(marker E2E-DHCP 0 | cut -d' ' -f3)" = 10.99.0.10 ] && pass "vm0 got its static address" || fail "vm0's address: $(marker E2E-DHCP 0)"
if [ "$SERVER" = netbootpi ] && [ "$NVMS" = 2 ]; then
case "$(marker E2E-DHCP 1 | cut -d' ' -f3)" in 10.99.0.1[0-9][0-9]) pass "vm1 (unknown) got a pool address";; *) fail "vm1's address: $(marker E2E-DHCP 1)";; esac
[ "$(marker E2E-OVERLAY 0)" = "E2E-OVERLAY $MAC0 overlay-of-vm0-$TOKEN" ] && pass "vm0 fetched its own overlay" || fail "vm0's overlay: $(marker E2E-OVERLAY 0)"
[ "$(marker E2E-OVERLAY 1)" = "E2E-OVERLAY $MAC1 none" ] && pass "vm1 has no overlay" || fail "vm1's overlay: $(marker E2E-OVERLAY 1)"
case "$(marker E2E-PUT 0 | cut -d' ' -f3)" in 20[014]) pass "vm0 uploaded its changed overlay";; *) fail "vm0's upload: $(marker E2E-PUT 0)";; esac
case "$(marker E2E-PUT 1 | cut -d' ' -f3)" in 403) pass "vm1's upload was refused (not a host of the site, so neither an address nor a token of its own)";; *) fail "vm1's upload: $(marker E2E-PUT 1)";; esac
got=$(ip netns exec "$NS" curl -s "http://$SRV/apkovl/$MAC0.tar.gz" | tar -xzO etc/e2e-uploaded 2>/dev/null)
[ "$got" = "uploaded-by-$MAC0" ] && pass "the box now serves vm0's uploaded overlay" || fail "vm0's stored overlay holds '$got'"
code=$(ip netns exec "$NS" curl -s -o /dev/null -w '%{http_code}' "http://$SRV/apkovl/$MAC1.tar.gz")
[ "$code" = 404 ] && pass "nothing was stored for vm1" || fail "vm1's overlay GET answered $code"
for i in 0 1; do
  ev=$("$NBP" events "${MACS[$i]}" --config "$RUN/site.yaml" 2>&1)
  if grep -q 'boot/' <<<"$ev" && grep -q 'vmlinuz' <<<"$ev" && grep -q 'initrd.img' <<<"$ev"; then pass "boot events recorded for vm$i"
  else fail "boot events for vm$i: $ev"; fi
done
fi

[ $CONSOLE = 1 ] && { sleep 0.5; echo "----- end of vm0's console -----" >&2; }
printf '%s\n' "${results[@]}"
log "total $(elapsed)s"
grep -q '^FAIL' <<<"$(printf '%s\n' "${results[@]}")" && { KEEP=1; exit 1; }
exit 0
