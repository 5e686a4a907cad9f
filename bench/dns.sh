#!/usr/bin/env bash
# DNS queries per second of the product: the published netbootpi (`run --config SITE`, the unit's environment,
# its default log level) vs dnsmasq, both on loopback in one private network namespace, same client, same run.
# Two loads, each with dnsperf for BENCH_SECONDS at its default 100 queries outstanding:
#   site       A queries for the site's 100 hosts (netbootpi authoritative; dnsmasq from --host-record)
#   forwarded  A queries for 100 names of an upstream dnsmasq holding a test zone, after a warm-up pass: both
#              answer from their caches (dnsmasq with --cache-size=10000, netbootpi's cache size)
# Prints queries/s and the share lost, netbootpi's ratio to dnsmasq, then both servers' peak RSS.
# Goal (issue 27): >= 1.0x dnsmasq for both loads at <= 0.1 % lost.
#
# Usage: sudo bench/dns.sh           (root: it creates a network namespace and binds port 53 inside it)
#   BENCH_SECONDS=10  per run     BENCH_REPS=3  runs per cell, the median counts
#   AGENT=path        a netbootpi binary instead of publishing one (bench/lib/agent.sh)
# Needs: dnsperf (tools/deps.sh dnsperf), dnsmasq (dnsmasq-base), dig (dnsutils), the .NET SDK. Takes the shared
# build lock for the whole run.
set -Eeuo pipefail
if [ -z "${NETBOOTPI_BENCH_LOCKED:-}" ]; then
  exec env NETBOOTPI_BENCH_LOCKED=1 flock -o /tmp/netbootpi-build.lock timeout --foreground 900 "$0" "$@"
fi
cd "$(dirname "$0")/.."
. bench/lib/agent.sh
seconds=${BENCH_SECONDS:-10}
reps=${BENCH_REPS:-3}

for tool in dnsperf dnsmasq dig ip dotnet; do
  command -v "$tool" >/dev/null || { echo "bench/dns.sh: $tool is not installed (tools/deps.sh dnsperf)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "bench/dns.sh: run as root (network namespace, port 53)" >&2; exit 1; }

work=$(mktemp -d /tmp/netbootpi-dns-bench.XXXXXX)
ns=nbpi-dns-bench-$$
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

publish_agent

ip netns add "$ns"
ip -n "$ns" link set lo up

# 100 hosts in the site, the same names for dnsmasq; 100 names upstream.
mkdir -p "$work/state" "$work/data"
{
  echo "site: { name: bench, domain: bench.internal, upstream_dns: [127.0.0.3] }"
  echo "server: { state_dir: $work/state, data_dir: $work/data }"
  echo "networks:"
  echo "  lan: { interface: eth0, address: 10.99.0.1/16 }"
  echo "profiles: { disk: { local: true } }"
  echo "defaults: { profile: disk }"
  echo "dns: {}"
  echo "hosts:"
  for i in $(seq 1 100); do printf '  host%d: { mac: 02:00:00:00:%02x:%02x, ip: 10.99.1.%d }\n' "$i" $((i / 256)) $((i % 256)) "$i"; done
} > "$work/site.yaml"
host_records=() upstream_records=()
for i in $(seq 1 100); do
  host_records+=("--host-record=host$i.bench.internal,10.99.1.$i")
  upstream_records+=("--host-record=name$i.example.test,192.0.2.$i")
  echo "host$i.bench.internal A" >> "$work/site.queries"
  echo "name$i.example.test A" >> "$work/forwarded.queries"
done

# Servers are started with ip netns exec directly (not through a function) so that $! is the server itself.
ip netns exec "$ns" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
  --listen-address=127.0.0.3 --port=53 --user=root --pid-file= --log-facility=- --local-ttl=3600 \
  "${upstream_records[@]}" > "$work/upstream.log" 2>&1 &
pids+=($!)
echo "starting: $AGENT run --config $work/site.yaml --no-dhcp --no-tftp --http-listen 127.0.0.1:6980 --control-socket none --dns-listen 127.0.0.1:53" >&2
ip netns exec "$ns" env $UNIT_ENV "$AGENT" run --config "$work/site.yaml" --no-dhcp --no-tftp --http-listen 127.0.0.1:6980 \
  --control-socket none --dns-listen 127.0.0.1:53 > "$work/netbootpi.log" 2>&1 &
pids+=($!)
ip netns exec "$ns" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
  --listen-address=127.0.0.2 --port=53 --user=root --pid-file= --log-facility=- --cache-size=10000 --local-ttl=60 \
  --server=127.0.0.3 "${host_records[@]}" > "$work/dnsmasq.log" 2>&1 &
pids+=($!)

declare -A addr=([netbootpi]=127.0.0.1 [dnsmasq]=127.0.0.2)
declare -A pid_of=([netbootpi]=${pids[1]} [dnsmasq]=${pids[2]})
servers=(netbootpi dnsmasq)

# Wait until each answers, then warm both caches with every forwarded name.
for s in "${servers[@]}" upstream; do
  a=${addr[$s]:-127.0.0.3}
  for _ in $(seq 100); do
    if ip netns exec "$ns" dig +short +time=1 +tries=1 "@$a" name1.example.test A 2>/dev/null | grep -q 192.0.2.1; then continue 2; fi
    sleep 0.1
  done
  echo "bench/dns.sh: $s on $a does not answer; its log:" >&2; cat "$work/$s.log" >&2 2>/dev/null || true; exit 1
done
for s in "${servers[@]}"; do
  ip netns exec "$ns" dnsperf -s "${addr[$s]}" -d "$work/forwarded.queries" -n 1 >/dev/null 2>&1
done

# One run: "QPS LOST%" from dnsperf's summary.
run() {
  local out
  out=$(ip netns exec "$ns" dnsperf -s "$1" -d "$2" -l "$seconds" 2>&1)
  local qps lost sent
  qps=$(awk '/Queries per second:/ {print $4}' <<<"$out")
  sent=$(awk '/Queries sent:/ {print $3}' <<<"$out")
  lost=$(awk '/Queries lost:/ {print $3}' <<<"$out")
  awk -v q="$qps" -v l="$lost" -v s="$sent" 'BEGIN { printf "%.0f %.3f\n", q, (s > 0 ? 100 * l / s : 100) }'
}
median() { sort -n | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; }

printf '%-10s %-10s %12s %10s\n' load server "queries/s" "lost %"
declare -A result
for load in site forwarded; do
  for s in "${servers[@]}"; do
    rows=()
    for _ in $(seq "$reps"); do rows+=("$(run "${addr[$s]}" "$work/$load.queries")"); done
    qps=$(printf '%s\n' "${rows[@]}" | awk '{print $1}' | median)
    lost=$(printf '%s\n' "${rows[@]}" | awk '{print $2}' | sort -n | tail -1)
    result[$load.$s]=$qps
    printf '%-10s %-10s %12s %10s   (runs: %s)\n' "$load" "$s" "$qps" "$lost" "$(printf '%s ' "${rows[@]}" | awk '{for (i = 1; i <= NF; i += 2) printf "%s ", $i}')"
  done
  awk -v a="${result[$load.netbootpi]}" -v b="${result[$load.dnsmasq]}" -v l="$load" 'BEGIN { printf "%-10s netbootpi / dnsmasq = %.2fx\n", l, a / b }'
done
echo "peak RSS (MiB): netbootpi $(peak_rss "${pid_of[netbootpi]}"); dnsmasq $(peak_rss "${pid_of[dnsmasq]}")"
