#!/usr/bin/env bash
# The Pi build, checked on this x86-64 machine: publish the linux-arm64 agent as the README says, require zero
# trim/AOT-analysis warnings, a publish folder that holds the agent alone, and a size within the budget; then run
# the arm64 binary under qemu-user for --version, `check` on the example site, an atomic state write, the messages
# a user meets when something is wrong (sentences, not resource keys), and a start to READY=1.
# Writes PASS/FAIL lines to $1 (and stdout); exits non-zero on any FAIL.
#
# The size budget: a package or feature that adds to it states its cost against this figure in its commit and in
# the README (docs/footprint.md has the history). Raise it only with that statement (20 MiB until 2026-12-07, when
# the console's first pieces took the file to 21.7 MB: docs/footprint.md says why 24 MiB).
SIZE_BUDGET_BYTES=$((24 * 1024 * 1024))
set -uo pipefail
LOG=${1:-/dev/stdout}
cd "$(dirname "$0")/../.."
OUT=${NETBOOTPI_ARM64_OUT:-artifacts/linux-arm64}
rm -rf "$OUT"
: > "$LOG.tmp"
result() { echo "$1 arm64: $2" | tee -a "$LOG.tmp"; }
finish() { [ "$LOG" = /dev/stdout ] || mv "$LOG.tmp" "$LOG"; [ "$LOG" != /dev/stdout ] || rm -f "$LOG.tmp"; exit "$1"; }

publog=$(mktemp)
# NETBOOTPI_PUBLISH_ARGS: extra publish arguments, for comparisons (-p:PublishAot=false: trimmed ReadyToRun).
if dotnet publish src/Agent -c Release -r linux-arm64 -o "$OUT" -nologo ${NETBOOTPI_PUBLISH_ARGS:-} >"$publog" 2>&1; then
  result PASS "publish linux-arm64 ($(grep -q 'PublishAot=false' <<<"${NETBOOTPI_PUBLISH_ARGS:-}" && echo 'trimmed, self-contained, ReadyToRun' || echo 'NativeAOT, cross-compiled'))"
else
  cat "$publog" >&2; result FAIL "publish linux-arm64"; rm -f "$publog"; finish 1
fi
warnings=$(grep -E 'warning (IL[0-9]+|NU[0-9]+)' "$publog" | sort -u)
rm -f "$publog"
if [ -z "$warnings" ]; then result PASS "publish has no trim/AOT-analysis warnings"
else echo "$warnings" >&2; result FAIL "publish has warnings"; fi
size=$(stat -c %s "$OUT/netbootpi" 2>/dev/null || echo 0)
extra=$(cd "$OUT" && ls -A | grep -vx netbootpi)
if [ -z "$extra" ]; then result PASS "publish folder holds netbootpi alone (no symbol files, nothing unpacked beside it)"
else echo "$extra" >&2; result FAIL "publish folder holds more than netbootpi: $(echo $extra)"; fi
if [ "$size" -gt 0 ] && [ "$size" -le "$SIZE_BUDGET_BYTES" ]; then
  result PASS "netbootpi is $size bytes ($((size / 1024 / 1024)) MiB), within the budget of $SIZE_BUDGET_BYTES"
else
  result FAIL "netbootpi is $size bytes, over the budget of $SIZE_BUDGET_BYTES (state the cost, see the top of this script)"
fi

SYSROOT=$(tests/arm64/sysroot.sh) || { result FAIL "arm64 sysroot"; finish 1; }
# The GC's default address-space reservation is slow under emulation; a hard limit keeps it small.
run() { DOTNET_GCHeapHardLimit=0x10000000 timeout 300 qemu-aarch64-static -L "$SYSROOT" "$OUT/netbootpi" "$@"; }

v=$(run --version 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -qE '^netbootpi [0-9]+\.[0-9]+\.[0-9]+' <<<"$v"; then result PASS "--version ($v)"
else echo "$v" >&2; result FAIL "--version exited $rc"; fi

c=$(run check examples/netsoc.yaml 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q 'napalm' <<<"$c"; then result PASS "check examples/netsoc.yaml"
else echo "$c" >&2; result FAIL "check examples/netsoc.yaml exited $rc"; fi

bad=$(mktemp --suffix=.yaml); printf 'site:\n  nmae: x\n' > "$bad"
c=$(run check "$bad" 2>&1); rc=$?; rm -f "$bad"
if [ $rc -eq 1 ] && grep -q ':2:3: site.nmae: unknown key' <<<"$c"; then result PASS "check reports errors with exit 1"
else echo "$c" >&2; result FAIL "check on a bad file exited $rc"; fi

# State is written atomically (temp file, fsync, rename, fsync of the directory): the system-call flags
# differ between arm64 and x86-64, and only an arm64 run shows that they are right there.
state=$(mktemp -d)
cat > "$state/site.yaml" <<YAML
site: { name: arm64 }
server: { state_dir: $state/state, data_dir: $state/data }
networks:
  lo: { interface: lo, address: 127.0.0.1/8 }
profiles:
  disk: { local: true }
defaults: { profile: disk }
hosts:
  roamer: { mac: "02:00:00:00:00:09" }
YAML
t1=$(run overlay token roamer --config "$state/site.yaml" 2>&1); rc1=$?
t2=$(run overlay token roamer --config "$state/site.yaml" 2>&1); rc2=$?
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ -n "$t1" ] && [ "$t1" = "$t2" ] && [ "$(stat -c %a "$state/state/overlay-tokens/02-00-00-00-00-09")" = 600 ]; then
  result PASS "overlay token: written atomically, kept, mode 0600"
else echo "$t1 / $t2" >&2; result FAIL "overlay token exited $rc1, then $rc2"; fi

# WireGuard's Curve25519 (BouncyCastle, managed) as the arm64 build computes it: the box's key it makes, and
# the peer key pair it prints, agree with wg pubkey on this machine.
printf 'wireguard: { address: 10.99.0.1/24, endpoint: "192.0.2.1:51820" }\n' >> "$state/site.yaml"
w=$(run wg peer add laptop --no-qr --config "$state/site.yaml" --socket "$state/none.sock" 2>/dev/null); rc=$?
box=$(wg pubkey < "$state/state/wireguard/wg0.key" 2>/dev/null)
peer=$(sed -n 's/^PrivateKey = //p' <<<"$w" | wg pubkey 2>/dev/null)
if [ $rc -eq 0 ] && [ -n "$box" ] && grep -qxF "PublicKey = $box" <<<"$w" && [ -n "$peer" ] && grep -qF "\"$peer\"" "$state/wireguard-peers.yaml"; then
  result PASS "wg peer add: the box's and the peer's keys agree with wg pubkey"
else echo "$w" >&2; result FAIL "wg peer add exited $rc, or its keys disagree with wg pubkey"; fi
rm -rf "$state"

# Messages as the shipped build prints them. Anything quoted from a runtime exception must read as a sentence
# (with UseSystemResourceKeys it would read like IO_FileNotFound_FileName), and each case must end in one line
# and exit 1, never in a stack trace or a crash.
bad_text='\b[A-Z][A-Za-z]+_[A-Z][A-Za-z]+(_[A-Za-z]+)*\b|\bnet_[a-z_]+\b|^ +at |Unhandled exception|Exception\b'
says() { # says NAME EXPECTED-RC PATTERN -- ARGS...: runs the agent, checks its exit code and output
  local name=$1 want=$2 pattern=$3; shift 4
  local out rc
  out=$(run "$@" 2>&1); rc=$?
  if [ "$rc" = "$want" ] && grep -qF -- "$pattern" <<<"$out" && ! grep -qE "$bad_text" <<<"$out"; then
    result PASS "message: $name"
  else echo "$out" >&2; result FAIL "message: $name (exit $rc, expected $want and '$pattern')"; fi
}
# As nobody, whom a root-only file or folder refuses (root passes anyway); the binary copied where nobody can reach it.
as_nobody() { DOTNET_GCHeapHardLimit=0x10000000 timeout 300 setpriv --reuid=65534 --regid=65534 --clear-groups \
  qemu-aarch64-static -L "$SYSROOT" "$msg/netbootpi" "$@"; }
msg=$(mktemp -d)
says "check of a missing file" 1 "/nonexistent/site.yaml:1:1: (file): cannot read the file: no such file or directory" -- check /nonexistent/site.yaml
says "check of a directory" 1 "cannot read the file: it is a directory" -- check "$msg"
printf 'site: { name: x }\n' > "$msg/secret.yaml"; chmod 600 "$msg/secret.yaml"; chmod 755 "$msg"
cp "$OUT/netbootpi" "$msg/netbootpi"
out=$(as_nobody check "$msg/secret.yaml" 2>&1); rc=$?
if [ $rc = 1 ] && grep -qF "cannot read the file: permission denied" <<<"$out" && ! grep -qE "$bad_text" <<<"$out"; then
  result PASS "message: check of an unreadable file"
else echo "$out" >&2; result FAIL "message: check of an unreadable file (exit $rc)"; fi
python3 -c "print('site: ' + '['*20000 + ']'*20000)" > "$msg/deep.yaml"
says "a file nested 20,000 deep" 1 "values nested more than 32 levels deep" -- check "$msg/deep.yaml"
printf 'site: { name: l\xe9b }\nnetworks: {}\n' > "$msg/latin1.yaml"
says "a Latin-1 file" 1 "latin1.yaml:1:16: (file): byte 0xE9 is not UTF-8 text" -- check "$msg/latin1.yaml"
says "a usage error" 2 "netbootpi: Unrecognized command or argument 'bogus'" -- check a bogus
cat > "$msg/site.yaml" <<YAML
site: { name: msg }
server: { state_dir: $msg/state, data_dir: $msg/data, http_port: 1 }
networks:
  lo: { interface: lo, address: 127.0.0.1/8 }
profiles:
  disk: { local: true }
defaults: { profile: disk }
hosts:
  roamer: { mac: "02:00:00:00:00:09" }
YAML
chmod 644 "$msg/site.yaml"
says "a bad --listen address" 2 "not an IPv4 address" -- run --config "$msg/site.yaml" --listen 300.1.2.3
says "a server that cannot listen" 1 "not starting: the HTTP server cannot listen on 192.0.2.77:1: 192.0.2.77 is not an address of this machine" \
  -- run --config "$msg/site.yaml" --listen 192.0.2.77 --tftp-port 0 --no-dhcp
python3 -c "import socket,time;s=socket.socket();s.bind(('127.0.0.1',0));s.listen();open('$msg/port','w').write(str(s.getsockname()[1]));time.sleep(300)" &
holder=$!
for _ in $(seq 50); do [ -s "$msg/port" ] && break; sleep 0.1; done
says "a port that is taken" 1 "the HTTP server cannot listen on 127.0.0.1:$(cat "$msg/port"): the port is in use" \
  -- run --config "$msg/site.yaml" --listen 127.0.0.1 --tftp-port 0 --no-dhcp --http-listen "127.0.0.1:$(cat "$msg/port")"
kill $holder 2>/dev/null; wait $holder 2>/dev/null
# The state directory is created in $msg, a folder of root's that nobody may write.
out=$(as_nobody overlay token roamer --config "$msg/site.yaml" 2>&1); rc=$?
if [ $rc = 1 ] && grep -qF "permission denied" <<<"$out" && ! grep -qE "$bad_text" <<<"$out"; then
  result PASS "message: a state directory it may not write"
else echo "$out" >&2; result FAIL "message: a state directory it may not write (exit $rc)"; fi
mkdir -p "$msg/state/overlays/02-00-00-00-00-09"; cp "$msg/site.yaml" "$msg/state/overlays/02-00-00-00-00-09/000001.tar.gz"
says "overlay get into a missing folder" 1 "netbootpi: cannot copy roamer's overlay to $msg/no/such/dir/x.tar.gz: no such file or directory" \
  -- overlay get roamer "$msg/no/such/dir/x.tar.gz" --config "$msg/site.yaml"

# Start to READY=1 (sd_notify) under emulation, and the resident set once idle (of qemu-user running it: the
# emulator's own memory included, so only a comparison between builds, not the Pi's figure).
notify="$msg/notify.sock"
python3 - "$notify" > "$msg/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.settimeout(300)
while True:
    m = s.recv(4096).decode()
    if "READY=1" in m.split("\n"):
        print(time.monotonic(), flush=True); break
PY
listener=$!
for _ in $(seq 50); do [ -S "$notify" ] && break; sleep 0.1; done
t0=$(python3 -c 'import time; print(time.monotonic())')
NOTIFY_SOCKET=$notify DOTNET_GCHeapHardLimit=0x10000000 qemu-aarch64-static -L "$SYSROOT" "$OUT/netbootpi" run \
  --config "$msg/site.yaml" --no-dhcp --tftp-port 0 --http-listen 127.0.0.1:0 > "$msg/run.log" 2>&1 &
agent=$!
wait $listener
ready=$(cat "$msg/notify.log")
if [ -n "$ready" ] && kill -0 $agent 2>/dev/null; then
  sleep 2   # idle: what it holds between boots
  rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' /proc/$agent/status)
  result PASS "run under qemu: READY=1 after $(awk -v a="$t0" -v b="$ready" 'BEGIN { printf "%.2f", b - a }') s, qemu-user's RSS idle $rss MiB"
else
  cat "$msg/run.log" >&2; result FAIL "run under qemu did not reach READY=1"
fi
kill $agent 2>/dev/null; wait $agent 2>/dev/null
rm -rf "$msg"

grep -q '^FAIL' "$LOG.tmp" && finish 1
finish 0
