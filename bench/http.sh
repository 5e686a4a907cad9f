#!/usr/bin/env bash
# The product's boot HTTP service against nginx: the published netbootpi (`run --config SITE`, the unit's
# environment, its default log level) and nginx serve the same files in the same run, both on 127.0.0.1 in a
# private network namespace: one large download with curl (default 256 MiB) and 4 KiB requests with wrk
# (64 connections). Prints each result, the netbootpi/nginx ratios against the goals (issue 30: >= 0.95x for
# the large file, >= 1.0x for 4 KiB requests) and each server's peak RSS.
# Env: SIZE_MIB (256), LARGE_REPS (7 downloads from each, median), DURATION (10s), CONNECTIONS (64), THREADS (2), WARMUP (3s),
#      AGENT (a netbootpi binary to measure; default: the agent as it ships, published here: bench/lib/agent.sh).
# Takes the shared build lock for the whole run.
# Needs: curl, wrk, nginx (Debian: nginx-light or nginx; started here with its own config, not as a service).
set -euo pipefail
if [ -z "${NETBOOTPI_BENCH_LOCKED:-}" ]; then
  exec env NETBOOTPI_BENCH_LOCKED=1 flock -o /tmp/netbootpi-build.lock timeout --foreground 900 "$0" "$@"
fi
cd "$(dirname "$0")/.."
SIZE_MIB=${SIZE_MIB:-256}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-3s}
LARGE_REPS=${LARGE_REPS:-7}
. bench/lib/agent.sh
publish_agent
[ "$(id -u)" = 0 ] && tools/deps.sh wrk $(command -v nginx >/dev/null || echo nginx-light)  # any nginx will do
for tool in curl wrk nginx; do
  command -v "$tool" >/dev/null || { echo "http.sh: $tool is not installed (apt-get install curl wrk nginx-light)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "http.sh: run as root (network namespace)" >&2; exit 2; }

T=$(mktemp -d /tmp/netbootpi-bench-http.XXXXXX)
NS=nbpi-http-$$
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; ip netns del "$NS" 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT INT TERM

mkdir -p "$T/data" "$T/state" "$T/nginx"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$T/data/large.bin"
head -c 4096 /dev/urandom > "$T/data/small.bin"
chmod -R a+rX "$T"   # nginx workers run as www-data

# A namespace of its own: nothing else on this loopback, and the ports are ours.
ip netns add "$NS"
ip -n "$NS" link set lo up
in_ns() { ip netns exec "$NS" "$@"; }
# The servers on CPU 1, the clients (curl, wrk) on CPU 0: unpinned, one download's rate scattered by a third
# from run to run (curl and the server sharing a core or not, whatever else the machine ran), and so did the
# ratio of two medians (0.54x to 1.34x for the same build on 2026-12-06).
server_cpu=1 client_cpu=0
client() { ip netns exec "$NS" taskset -c $client_cpu "$@"; }
NB_PORT=8080; NGX_PORT=8081

cat > "$T/site.yaml" <<YAML
site: { name: bench }
server: { state_dir: $T/state, data_dir: $T/data }
networks:
  lo: { interface: lo, address: 127.0.0.1/8 }
profiles:
  disk: { local: true }
defaults: { profile: disk }
YAML
echo "starting: $AGENT run --config $T/site.yaml --http-listen 127.0.0.1:$NB_PORT" >&2
# Started with ip netns exec directly (not through in_ns, a function: its subshell would be $!): $! is the server.
ip netns exec "$NS" env $UNIT_ENV taskset -c $server_cpu "$AGENT" run --config "$T/site.yaml" --http-listen "127.0.0.1:$NB_PORT" >"$T/agent.log" 2>&1 &
AGENT_PID=$!
PIDS+=($AGENT_PID)

# nginx as a file server with the same paths (/files/...), logging off like the agent's console log level;
# one worker: the agent's threads share CPU 1 as well, and two workers on one CPU only take turns.
cat > "$T/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $T/nginx/body;
  proxy_temp_path $T/nginx/proxy;
  fastcgi_temp_path $T/nginx/fastcgi;
  uwsgi_temp_path $T/nginx/uwsgi;
  scgi_temp_path $T/nginx/scgi;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$NGX_PORT;
    location /files/ { alias $T/data/; }
  }
}
CONF
ip netns exec "$NS" taskset -c $server_cpu nginx -c "$T/nginx/nginx.conf" -p "$T/nginx" -e "$T/nginx/error.log" &
NGX_PID=$!
PIDS+=($NGX_PID)

wait_up() {
  for _ in $(seq 1 300); do in_ns curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "http.sh: $1 did not come up" >&2; tail -n 5 "$T/agent.log" "$T/nginx/error.log" >&2; return 1
}
wait_up "http://127.0.0.1:$NB_PORT/files/small.bin"
wait_up "http://127.0.0.1:$NGX_PORT/files/small.bin"

# Both servers see the same short load before anything is measured: the agent's request path is still being
# JIT-compiled (tiered compilation) for the first seconds of this Release build, which the Pi's ReadyToRun
# publish does ahead of time; the goal is about the steady state, not about the JIT.
warm() { client wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$1" >/dev/null; client curl -s -o /dev/null "$2"; }
warm "http://127.0.0.1:$NB_PORT/files/small.bin" "http://127.0.0.1:$NB_PORT/files/large.bin"
warm "http://127.0.0.1:$NGX_PORT/files/small.bin" "http://127.0.0.1:$NGX_PORT/files/large.bin"

large() { client curl -s -o /dev/null -w '%{speed_download}' "$1" | awk '{printf "%.1f", $1 / 1048576}'; }
small() { client wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$1" | awk '/^Requests\/sec:/ {printf "%.0f", $2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# One download takes a fraction of a second and swings by a third between runs on a shared 2-core machine:
# LARGE_REPS downloads from each server, alternating, and the medians are compared.
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.1f", v[(NR + 1) / 2]; else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
nb_runs=(); ngx_runs=()
for _ in $(seq 1 "$LARGE_REPS"); do
  nb_runs+=("$(large "http://127.0.0.1:$NB_PORT/files/large.bin")")
  ngx_runs+=("$(large "http://127.0.0.1:$NGX_PORT/files/large.bin")")
done
nb_large=$(printf '%s\n' "${nb_runs[@]}" | median)
ngx_large=$(printf '%s\n' "${ngx_runs[@]}" | median)
nb_small=$(small "http://127.0.0.1:$NB_PORT/files/small.bin")
ngx_small=$(small "http://127.0.0.1:$NGX_PORT/files/small.bin")

# nginx's peak: the master's and every worker's (the workers do the work).
ngx_rss=$(for p in $NGX_PID $(pgrep -P "$NGX_PID"); do peak_rss "$p"; echo; done | awk '{ s += $1 } END { printf "%.1f", s }')
echo "large file ($SIZE_MIB MiB, curl, one stream, median of $LARGE_REPS): netbootpi $nb_large MiB/s (${nb_runs[*]}), nginx $ngx_large MiB/s (${ngx_runs[*]}), ratio $(ratio "$nb_large" "$ngx_large") (goal >= 0.95)"
echo "small file (4 KiB, wrk -c$CONNECTIONS -d$DURATION): netbootpi $nb_small req/s, nginx $ngx_small req/s, ratio $(ratio "$nb_small" "$ngx_small") (goal >= 1.00)"
echo "(servers on CPU $server_cpu, curl and wrk -t$THREADS on CPU $client_cpu)"
echo "peak RSS (MiB): netbootpi $(peak_rss "$AGENT_PID"); nginx $ngx_rss (master and $(pgrep -c -P "$NGX_PID") workers)"
