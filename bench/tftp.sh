#!/usr/bin/env bash
# TFTP throughput of the product: the published netbootpi (`run --config SITE`, the unit's environment, its
# default log level) vs tftpd-hpa vs dnsmasq, same file, same client, same run.
# Fetches a 32 MiB file at blksize 512, 1468 and 65464, and at 1468 with windowsize 16 (atftp, RFC 7440),
# from each server inside a private network namespace, and prints MiB/s with netbootpi's ratio to each peer,
# then each server's peak RSS.
# Goal (issue 30): netbootpi >= 1.0x tftpd-hpa at every block size, and with windowsize 16 >= 3x tftpd-hpa at 1468.
#
# Usage: sudo bench/tftp.sh            (root: it creates a network namespace)
#   BENCH_SIZE_MIB=32  file size          BENCH_REPS=5  runs per cell (three times that at 65464), the median
#   counts (a failed run fails the cell)
#   BENCH_CASES="512 1468 65464 w16"  which rows to run
#   AGENT=path                        a netbootpi binary instead of publishing one (bench/lib/agent.sh)
# Needs: atftp, dnsmasq (dnsmasq-base), apt-get access to download tftpd-hpa (unpacked, not installed: it
# conflicts with atftpd), the .NET SDK. Takes the shared build lock for the whole run.
set -Eeuo pipefail
if [ -z "${NETBOOTPI_BENCH_LOCKED:-}" ]; then
  exec env NETBOOTPI_BENCH_LOCKED=1 flock -o /tmp/netbootpi-build.lock timeout --foreground 900 "$0" "$@"
fi
cd "$(dirname "$0")/.."
. bench/lib/agent.sh
size_mib=${BENCH_SIZE_MIB:-32}
reps=${BENCH_REPS:-5}

for tool in atftp dnsmasq ip apt-get dpkg dotnet; do
  command -v "$tool" >/dev/null || { echo "bench/tftp.sh: $tool is not installed" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "bench/tftp.sh: run as root (network namespace)" >&2; exit 1; }

work=$(mktemp -d /tmp/netbootpi-tftp-bench.XXXXXX)
ns=nbpi-tftp-bench-$$
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The servers run as nobody or chroot: the tree must be world-readable.
chmod 755 "$work"
mkdir -p "$work/root" "$work/out" "$work/tftpd-hpa"
head -c $((size_mib * 1048576)) /dev/urandom > "$work/root/bench.bin"
chmod 644 "$work/root/bench.bin"
chmod 755 "$work/root"
want=$(sha256sum < "$work/root/bench.bin" | cut -d' ' -f1)

publish_agent

echo "unpacking tftpd-hpa..." >&2
# in.tftpd links libwrap.so.0, which is not installed where atftpd is: unpack it alongside.
(cd "$work/tftpd-hpa" && apt-get download tftpd-hpa libwrap0 >/dev/null 2>&1 &&
  for deb in ./*.deb; do dpkg -x "$deb" .; done) ||
  { echo "bench/tftp.sh: apt-get download tftpd-hpa libwrap0 failed (apt-get update?)" >&2; exit 1; }
in_tftpd="$work/tftpd-hpa/usr/sbin/in.tftpd"
libwrap_dir=$(dirname "$(find "$work/tftpd-hpa" -name 'libwrap.so.0' | head -1)")

ip netns add "$ns"
ip -n "$ns" link set lo up
# in.tftpd resolves its address with AI_ADDRCONFIG, which finds nothing when loopback is the only interface:
# give the namespace a veth pair with a documentation address (RFC 5737), used by nothing.
ip -n "$ns" link add nbpi0 type veth peer name nbpi1
ip -n "$ns" addr add 192.0.2.1/24 dev nbpi0
ip -n "$ns" link set nbpi0 up
ip -n "$ns" link set nbpi1 up
# Servers are started with ip netns exec directly (not through a function) so that $! is the server itself.

# netbootpi as a user runs it: a site file whose TFTP root holds the file, on loopback (MTU 64 KiB, so blksize
# 65464 is granted as on the other two). No DHCP network; HTTP on its own port, idle.
mkdir -p "$work/state" "$work/data"
cat > "$work/site.yaml" <<YAML
site: { name: bench }
server: { state_dir: $work/state, data_dir: $work/data, tftp_root: $work/root }
networks:
  lo: { interface: lo, address: 127.0.0.1/8 }
profiles:
  disk: { local: true }
defaults: { profile: disk }
YAML
echo "starting: $AGENT run --config $work/site.yaml --listen 127.0.0.1 --tftp-port 6969 --http-listen 127.0.0.1:6980" >&2
ip netns exec "$ns" env $UNIT_ENV "$AGENT" run --config "$work/site.yaml" --listen 127.0.0.1 --tftp-port 6969 \
  --http-listen 127.0.0.1:6980 > "$work/netbootpi.log" 2>&1 &
pids+=($!)
ip netns exec "$ns" env LD_LIBRARY_PATH="$libwrap_dir" "$in_tftpd" -4 --foreground --listen --address 127.0.0.1:6970 --secure --user nobody "$work/root" > "$work/tftpd-hpa.log" 2>&1 &
pids+=($!)
# dnsmasq's TFTP port is fixed at 69; --port=0 turns DNS off.
ip netns exec "$ns" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --enable-tftp --tftp-root="$work/root" \
  --listen-address=127.0.0.1 --bind-interfaces --user=root --pid-file= --log-facility=- --quiet-tftp > "$work/dnsmasq.log" 2>&1 &
pids+=($!)

declare -A port=([netbootpi]=6969 [tftpd-hpa]=6970 [dnsmasq]=69)
servers=(netbootpi tftpd-hpa dnsmasq)
declare -A pid_of=([netbootpi]=${pids[0]} [tftpd-hpa]=${pids[1]} [dnsmasq]=${pids[2]})

# Wait until every server answers (the .NET host needs a moment to start).
for s in "${servers[@]}"; do
  for _ in $(seq 50); do
    if timeout 5 ip netns exec "$ns" atftp -g -r bench.bin -l "$work/out/probe" 127.0.0.1 "${port[$s]}" >/dev/null 2>&1; then break; fi
    sleep 0.2
  done
  [ -f "$work/out/probe" ] && [ "$(sha256sum < "$work/out/probe" | cut -d' ' -f1)" = "$want" ] ||
    { echo "bench/tftp.sh: $s did not serve the file correctly; log:" >&2; cat "$work/$s.log" >&2; exit 1; }
  rm -f "$work/out/probe"
done

# One fetch; prints MiB/s, or "fail".
fetch() {
  local server=$1; shift
  local out="$work/out/$server.bin" start end
  rm -f "$out"
  start=$(date +%s.%N)
  if ! timeout 120 ip netns exec "$ns" atftp "$@" -g -r bench.bin -l "$out" 127.0.0.1 "${port[$server]}" >/dev/null 2>&1; then
    echo fail; return
  fi
  end=$(date +%s.%N)
  if [ "$(sha256sum < "$out" | cut -d' ' -f1)" != "$want" ]; then echo fail; return; fi
  awk -v s="$start" -v e="$end" -v m="$size_mib" 'BEGIN { printf "%.1f", m / (e - s) }'
}

# The median of the runs: one 32 MiB fetch at 64 KiB blocks takes well under 100 ms, so single runs scatter
# and the best of several would reward the luckiest. The servers take turns run by run, so that a slow
# stretch of this machine lands on all of them rather than on whichever ran then.
median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ratio() { if [ "$1" = fail ] || [ "$2" = fail ]; then echo "-"; else awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; fi; }

printf "%-16s %12s %12s %12s %14s %14s\n" "${size_mib} MiB, atftp" netbootpi tftpd-hpa dnsmasq "vs tftpd-hpa" "vs dnsmasq"
declare -A cases=(
  ["blksize 512"]="--option|blksize 512"
  ["blksize 1468"]="--option|blksize 1468"
  ["blksize 65464"]="--option|blksize 65464"
  ["1468 window 16"]="--option|blksize 1468|--option|windowsize 16"
)
declare -A case_key=(["blksize 512"]=512 ["blksize 1468"]=1468 ["blksize 65464"]=65464 ["1468 window 16"]=w16)
wanted=" ${BENCH_CASES:-512 1468 65464 w16} "
for name in "blksize 512" "blksize 1468" "blksize 65464" "1468 window 16"; do
  [[ $wanted == *" ${case_key[$name]} "* ]] || continue
  IFS='|' read -r -a opts <<< "${cases[$name]}"
  declare -A mibs=() runs=()
  # A 64 KiB-block fetch is over in well under 100 ms, where a scheduling hiccup of this machine moves a single
  # run by 10%: that row takes three times the runs (it costs the least time of all).
  n=$reps; [ "${case_key[$name]}" = 65464 ] && n=$((reps * 3))
  for _ in $(seq "$n"); do
    for s in "${servers[@]}"; do runs[$s]+="$(fetch "$s" "${opts[@]}") "; done
  done
  for s in "${servers[@]}"; do
    if [[ ${runs[$s]} == *fail* ]]; then mibs[$s]=fail; else mibs[$s]=$(tr ' ' '\n' <<< "${runs[$s]}" | grep . | median); fi
  done
  printf "%-16s %12s %12s %12s %14s %14s\n" "$name" "${mibs[netbootpi]}" "${mibs[tftpd-hpa]}" "${mibs[dnsmasq]}" \
    "$(ratio "${mibs[netbootpi]}" "${mibs[tftpd-hpa]}")" "$(ratio "${mibs[netbootpi]}" "${mibs[dnsmasq]}")"
done
echo "(MiB/s, median of $reps runs, $((reps * 3)) at blksize 65464; tftpd-hpa and dnsmasq do not implement windowsize, so their last row is lockstep at 1468)"
echo "peak RSS (MiB): netbootpi $(peak_rss "${pid_of[netbootpi]}"); tftpd-hpa $(peak_rss "${pid_of[tftpd-hpa]}") (its listener: each transfer runs in a forked child); dnsmasq $(peak_rss "${pid_of[dnsmasq]}")"
