#!/usr/bin/env bash
# DHCPv4 4-way exchange rate: netbootpi vs dnsmasq vs kea-dhcp4, same client, same run.
# perfdhcp (Kea) plays a relay (giaddr = its own address) in one network namespace; each server in turn
# answers from a second namespace joined by a veth pair. For each offered rate it prints the achieved
# 4-way rate, the drop ratio and the average DORA delay per server, then netbootpi's ratio to Kea at the
# highest rate each held with <= 1% drops.
# Goal (issue 3): netbootpi >= Kea's rate with lease durability on (every ACK after its lease's fsync).
# netbootpi here is bench/DhcpHost: the agent's DHCP engine, UDP transport and durable lease store on one
# network, without the site policy and without the agent's per-reply log line (the peers' logging is off too).
# Peers: dnsmasq with no-ping and quiet-dhcp, its lease file on; kea-dhcp4 memfile with persist on.
#
# Usage: sudo bench/dhcp.sh
#   BENCH_RATES="1000 4000 8000 12000 14000 16000"  offered DORA/s      BENCH_PERIOD=6  seconds per rate
#   BENCH_CLIENTS=20000                    distinct MACs (within the 65k pool)
#   BENCH_WARMUP=5                         seconds at 2000/s before each measured run (the JIT reaching its
#                                          optimised code, caches), the same for every server
#   BENCH_SERVERS="netbootpi dnsmasq kea"  which servers to run
# Needs: perfdhcp (kea-admin), dnsmasq (dnsmasq-base), kea-dhcp4 (kea-dhcp4-server), iproute2, the .NET SDK.
# Takes the shared build lock for the whole run.
set -euo pipefail
if [ -z "${NETBOOTPI_BENCH_LOCKED:-}" ]; then
  exec env NETBOOTPI_BENCH_LOCKED=1 flock -o /tmp/netbootpi-build.lock timeout --foreground 1500 "$0" "$@"
fi
cd "$(dirname "$0")/.."
rates=${BENCH_RATES:-1000 4000 8000 12000 14000 16000}
period=${BENCH_PERIOD:-6}
clients=${BENCH_CLIENTS:-20000}
warmup=${BENCH_WARMUP:-5}
servers=(${BENCH_SERVERS:-netbootpi dnsmasq kea})

for tool in perfdhcp dnsmasq kea-dhcp4 ip dotnet; do
  command -v "$tool" >/dev/null || { echo "bench/dhcp.sh: $tool is not installed" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "bench/dhcp.sh: run as root (network namespaces)" >&2; exit 1; }

work=$(mktemp -d /tmp/netbootpi-dhcp-bench.XXXXXX)
nss=nbpi-dhcps-$$ nsc=nbpi-dhcpc-$$
vs=nbds$$ vc=nbdc$$
vs=${vs:0:15} vc=${vc:0:15}
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  ip netns del "$nss" 2>/dev/null || true
  ip netns del "$nsc" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "building bench/DhcpHost..." >&2
dotnet build bench/DhcpHost -c Release -nologo -v:q -o "$work/host" >/dev/null

ip netns add "$nss"
ip netns add "$nsc"
ip link add "$vs" netns "$nss" type veth peer name "$vc" netns "$nsc"
for ns in "$nss" "$nsc"; do ip -n "$ns" link set lo up; done
ip -n "$nss" addr add 10.250.0.1/16 dev "$vs"
ip -n "$nsc" addr add 10.250.0.2/16 dev "$vc"
ip -n "$nss" link set "$vs" up
ip -n "$nsc" link set "$vc" up
# perfdhcp's relay address 10.250.0.2 lies in the served /16, so every server matches it to that subnet.
pool_first=10.250.1.0 pool_last=10.250.255.250

start_server() {
  local name=$1 state="$work/state-$1"
  rm -rf "$state"; mkdir -p "$state"
  case $name in
    netbootpi)
      ip netns exec "$nss" "$work/host/dhcphost" "$vs" 10.250.0.1 10.250.0.0/16 $pool_first $pool_last "$state" \
        > "$work/$name.log" 2>&1 & ;;
    dnsmasq)
      ip netns exec "$nss" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --interface="$vs" \
        --bind-interfaces --dhcp-range=$pool_first,$pool_last,255.255.0.0,1h --dhcp-authoritative --no-ping \
        --quiet-dhcp --dhcp-leasefile="$state/dnsmasq.leases" --dhcp-lease-max=70000 --user=root --pid-file= \
        --log-facility=- > "$work/$name.log" 2>&1 & ;;
    kea)
      cat > "$state/kea.json" <<JSON
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$vs" ], "dhcp-socket-type": "udp" },
    "lease-database": { "type": "memfile", "persist": true, "name": "$state/kea-leases4.csv", "lfc-interval": 0 },
    "valid-lifetime": 3600,
    "authoritative": true,
    "subnet4": [ { "id": 1, "subnet": "10.250.0.0/16", "pools": [ { "pool": "$pool_first - $pool_last" } ],
                   "option-data": [ { "name": "routers", "data": "10.250.0.1" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "severity": "WARN", "output_options": [ { "output": "stderr" } ] } ]
} }
JSON
      KEA_LOCKFILE_DIR="$state" KEA_PIDFILE_DIR="$state" ip netns exec "$nss" kea-dhcp4 -c "$state/kea.json" \
        > "$work/$name.log" 2>&1 & ;;
  esac
  server_pid=$!
  # Ready when a short run gets replies back (captured first: grep -q would SIGPIPE perfdhcp under pipefail).
  local probe
  for _ in $(seq 50); do
    probe=$(ip netns exec "$nsc" perfdhcp -4 -l "$vc" -r 10 -n 5 -R 5 -g single 10.250.0.1 2>/dev/null || true)
    if grep -q 'received packets: [1-9]' <<< "$probe"; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "bench/dhcp.sh: $name did not answer; log:" >&2; cat "$work/$name.log" >&2; exit 1
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

# Datagrams the server's kernel dropped because the socket's receive queue was full (/proc/net/snmp is per
# namespace): a server that falls behind loses requests here.
rcvbuf_errors() { ip netns exec "$nss" awk '/^Udp:/ && $2 ~ /^[0-9]+$/ { print $6 }' /proc/net/snmp; }

# One perfdhcp run at an offered rate; prints "rate drop% avg_ms queue-overflows".
measure() {
  local rate=$1 out before
  if [ "$warmup" -gt 0 ]; then
    ip netns exec "$nsc" perfdhcp -4 -l "$vc" -r 2000 -p "$warmup" -R "$clients" -g single 10.250.0.1 >/dev/null 2>&1 || true
  fi
  before=$(rcvbuf_errors)
  out=$(ip netns exec "$nsc" perfdhcp -4 -l "$vc" -r "$rate" -p "$period" -R "$clients" -g single 10.250.0.1 2>&1 || true)
  awk -v overflows=$(( $(rcvbuf_errors) - before )) '
    /^Rate:/ { rate = $2 }
    /Statistics for: DISCOVER-OFFER/ { x = "do" }
    /Statistics for: REQUEST-ACK/ { x = "ra" }
    /^sent packets:/ { sent[x] = $3 }
    /^received packets:/ { recv[x] = $3 }
    /^avg delay:/ { delay += $3 }
    END {
      drop = sent["do"] > 0 ? 100 * (1 - recv["ra"] / sent["do"]) : 100
      if (drop < 0) drop = 0
      printf "%.0f %.2f %.3f %d\n", rate, drop, delay, overflows
    }' <<< "$out"
}

declare -A result best
for s in "${servers[@]}"; do
  echo "running $s..." >&2
  best[$s]=0
  for r in $rates; do
    start_server "$s"            # a fresh server and empty lease state per rate
    result[$s,$r]=$(measure "$r")
    stop_server
    read -r got drop _ <<< "${result[$s,$r]}"
    if awk -v d="$drop" 'BEGIN { exit !(d <= 1) }' && [ "$got" -gt "${best[$s]}" ]; then best[$s]=$got; fi
  done
done

printf "%-10s" "offered/s"
for s in "${servers[@]}"; do printf " | %-37s" "$s: got/s drop% avg-ms q-full"; done
echo
for r in $rates; do
  printf "%-10s" "$r"
  for s in "${servers[@]}"; do
    read -r got drop delay overflows <<< "${result[$s,$r]}"
    printf " | %9s %8s%% %9s %8s" "$got" "$drop" "$delay" "$overflows"
  done
  echo
done
echo -n "best rate with <=1% drops:"
for s in "${servers[@]}"; do echo -n " $s ${best[$s]}/s"; done
echo
if [ -n "${best[netbootpi]:-}" ] && [ -n "${best[kea]:-}" ] && [ "${best[kea]}" -gt 0 ]; then
  awk -v a="${best[netbootpi]}" -v b="${best[kea]}" 'BEGIN { printf "netbootpi/kea: %.2fx (goal >= 1.00x)\n", a / b }'
fi
echo "(perfdhcp -g single, 4-way exchanges, $clients clients, ${period}s per rate; avg-ms = DISCOVER-OFFER + REQUEST-ACK delay;"
echo " q-full = requests the server's kernel dropped because its socket's receive queue was full)"
