#!/usr/bin/env bash
# netbootpi's boot HTTP service against nginx, serving the same files in the same run on 127.0.0.1:
#   one large download with curl (default 256 MiB) and small-file requests with wrk (64 connections).
# Prints each result and netbootpi/nginx ratios against the goals (issue 5: >= 0.9x large, >= 0.7x small).
# Env: SIZE_MIB (256), LARGE_REPS (7 downloads from each, median), DURATION (10s), CONNECTIONS (64), THREADS (2), WARMUP (3s),
#      AGENT (a netbootpi binary to measure; default: the agent as it ships, published here: trimmed,
#      self-contained, ReadyToRun, for this machine's CPU).
#      The agent runs with the environment image/netbootpi.service gives it (tools/unit-env.sh).
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
if [ -z "${AGENT:-}" ]; then
  rid=linux-$(dotnet --info | awk '/^ *RID:/{print $2; exit}' | sed 's/^linux-//')
  dotnet publish src/Agent -c Release -r "$rid" -o "artifacts/$rid" -nologo -v:q >/dev/null
  AGENT=artifacts/$rid/netbootpi
fi
[ "$(id -u)" = 0 ] && tools/deps.sh wrk $(command -v nginx >/dev/null || echo nginx-light)  # any nginx will do
for tool in curl wrk nginx; do
  command -v "$tool" >/dev/null || { echo "http.sh: $tool is not installed (apt-get install curl wrk nginx-light)" >&2; exit 2; }
done
[ -x "$AGENT" ] || { echo "http.sh: $AGENT is not an executable" >&2; exit 2; }
UNIT_ENV=$(tools/unit-env.sh)   # NAME=VALUE words, checked plain (no spaces or globs)

T=$(mktemp -d /tmp/netbootpi-bench-http.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT INT TERM

mkdir -p "$T/data" "$T/state" "$T/nginx"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$T/data/large.bin"
head -c 4096 /dev/urandom > "$T/data/small.bin"
chmod -R a+rX "$T"   # nginx workers run as www-data

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
NB_PORT=$(free_port); NGX_PORT=$(free_port)

cat > "$T/site.yaml" <<YAML
site: { name: bench }
server: { state_dir: $T/state, data_dir: $T/data }
networks:
  lo: { interface: lo, address: 127.0.0.1/8 }
profiles:
  disk: { local: true }
defaults: { profile: disk }
YAML
env $UNIT_ENV "$AGENT" run --config "$T/site.yaml" --http-listen "127.0.0.1:$NB_PORT" >"$T/agent.log" 2>&1 &
PIDS+=($!)

# nginx as a file server with the same paths (/files/...), logging off like the agent's console log level.
cat > "$T/nginx/nginx.conf" <<CONF
daemon off;
worker_processes auto;
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
nginx -c "$T/nginx/nginx.conf" -p "$T/nginx" -e "$T/nginx/error.log" &
PIDS+=($!)

wait_up() {
  for _ in $(seq 1 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "http.sh: $1 did not come up" >&2; tail -n 5 "$T/agent.log" "$T/nginx/error.log" >&2; return 1
}
wait_up "http://127.0.0.1:$NB_PORT/files/small.bin"
wait_up "http://127.0.0.1:$NGX_PORT/files/small.bin"

# Both servers see the same short load before anything is measured: the agent's request path is still being
# JIT-compiled (tiered compilation) for the first seconds of this Release build, which the Pi's ReadyToRun
# publish does ahead of time; the goal is about the steady state, not about the JIT.
warm() { wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$1" >/dev/null; curl -s -o /dev/null "$2"; }
warm "http://127.0.0.1:$NB_PORT/files/small.bin" "http://127.0.0.1:$NB_PORT/files/large.bin"
warm "http://127.0.0.1:$NGX_PORT/files/small.bin" "http://127.0.0.1:$NGX_PORT/files/large.bin"

large() { curl -s -o /dev/null -w '%{speed_download}' "$1" | awk '{printf "%.1f", $1 / 1048576}'; }
small() { wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$1" | awk '/^Requests\/sec:/ {printf "%.0f", $2}'; }
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

echo "large file ($SIZE_MIB MiB, curl, one stream, median of $LARGE_REPS): netbootpi $nb_large MiB/s (${nb_runs[*]}), nginx $ngx_large MiB/s (${ngx_runs[*]}), ratio $(ratio "$nb_large" "$ngx_large") (goal >= 0.90)"
echo "small file (4 KiB, wrk -c$CONNECTIONS -d$DURATION): netbootpi $nb_small req/s, nginx $ngx_small req/s, ratio $(ratio "$nb_small" "$ngx_small") (goal >= 0.70)"
