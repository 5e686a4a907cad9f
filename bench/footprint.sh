#!/usr/bin/env bash
# Start to READY=1 and idle memory of agent builds: each binary runs `run --config SITE` (TFTP and HTTP on
# 127.0.0.1, no DHCP: no namespace needed) with NOTIFY_SOCKET and the unit's environment, as systemd starts it; the time from exec to the
# READY=1 datagram, then its resident set (VmRSS) after 2 s idle, the median of REPS runs (min-max beside it).
# An arm64 binary runs under qemu-aarch64-static (its RSS is qemu-user's, the emulator included: a comparison
# between builds, not the Pi's figure).
#
# Usage: bench/footprint.sh BINARY...      REPS=5
# Example: bench/footprint.sh artifacts/linux-x64/netbootpi artifacts/linux-x64-r2r/netbootpi
# Takes the shared build lock for the whole run.
set -euo pipefail
if [ -z "${NETBOOTPI_BENCH_LOCKED:-}" ]; then
  exec env NETBOOTPI_BENCH_LOCKED=1 flock -o /tmp/netbootpi-build.lock timeout --foreground 900 "$0" "$@"
fi
cd "$(dirname "$0")/.."
reps=${REPS:-5}
[ $# -gt 0 ] || { echo "usage: bench/footprint.sh BINARY..." >&2; exit 2; }

work=$(mktemp -d /tmp/netbootpi-footprint.XXXXXX)
agent=
cleanup() { [ -n "$agent" ] && kill "$agent" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cat > "$work/site.yaml" <<YAML
site: { name: footprint }
server: { state_dir: $work/state, data_dir: $work/data }
networks:
  lo: { interface: lo, address: 127.0.0.1/8 }
profiles:
  disk: { local: true }
defaults: { profile: disk }
YAML

one_run() {   # binary -> "seconds rss_mib"
  local bin=$1 notify="$work/notify.sock" t0 ready
  local -a cmd=("$bin")
  if file -L "$bin" | grep -q 'ARM aarch64'; then
    cmd=(qemu-aarch64-static -L "$(tests/arm64/sysroot.sh)" "$bin")
  fi
  rm -f "$notify" "$work/notify.log"
  python3 - "$notify" > "$work/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.settimeout(120)
while True:
    m = s.recv(4096).decode()
    if "READY=1" in m.split("\n"):
        print(time.monotonic(), flush=True); break
PY
  local listener=$!
  for _ in $(seq 50); do [ -S "$notify" ] && break; sleep 0.1; done
  t0=$(python3 -c 'import time; print(time.monotonic())')
  NOTIFY_SOCKET=$notify env $(tools/unit-env.sh) "${cmd[@]}" run --config "$work/site.yaml" \
    --no-dhcp --tftp-port 0 --http-listen 127.0.0.1:0 > "$work/run.log" 2>&1 &
  agent=$!
  wait $listener || true
  ready=$(cat "$work/notify.log")
  [ -n "$ready" ] || { cat "$work/run.log" >&2; echo "footprint: $bin did not send READY=1" >&2; exit 1; }
  sleep 2
  local pid=$agent
  # env execs the agent (or qemu): the same PID.
  echo "$(awk -v a="$t0" -v b="$ready" 'BEGIN { printf "%.3f", b - a }') $(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' /proc/$pid/status)"
  kill $agent; wait $agent 2>/dev/null || true; agent=
}

median() { sort -n | awk '{ v[NR] = $1 } END { printf "%s (%s-%s)", v[int((NR + 1) / 2)], v[1], v[NR] }'; }

printf '%-48s %12s %-24s %-24s\n' "binary" "bytes" "start to READY=1 (s)" "idle RSS (MiB)"
for bin in "$@"; do
  : > "$work/runs"
  for _ in $(seq "$reps"); do one_run "$bin" >> "$work/runs"; done
  printf '%-48s %12s %-24s %-24s\n' "$bin" "$(stat -L -c %s "$bin")" \
    "$(cut -d' ' -f1 "$work/runs" | median)" "$(cut -d' ' -f2 "$work/runs" | median)"
done
echo "(median of $reps runs, min-max in brackets; $(date -u +%Y-%m-%d) on $(nproc) CPUs, $(uname -m); arm64 under qemu-aarch64-static)"
