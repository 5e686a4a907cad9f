#!/usr/bin/env bash
# The Pi build, checked on this x86-64 machine: publish the trimmed self-contained linux-arm64 agent,
# require zero trim/AOT-analysis warnings, then run the arm64 binary under qemu-user for --version and
# for `check` on the example site, and for an atomic state write. Writes PASS/FAIL lines to $1 (and stdout); exits non-zero on any FAIL.
set -uo pipefail
LOG=${1:-/dev/stdout}
cd "$(dirname "$0")/../.."
OUT=${NETBOOTPI_ARM64_OUT:-artifacts/linux-arm64}
: > "$LOG.tmp"
result() { echo "$1 arm64: $2" | tee -a "$LOG.tmp"; }
finish() { [ "$LOG" = /dev/stdout ] || mv "$LOG.tmp" "$LOG"; [ "$LOG" != /dev/stdout ] || rm -f "$LOG.tmp"; exit "$1"; }

publog=$(mktemp)
if dotnet publish src/Agent -c Release -r linux-arm64 -o "$OUT" -nologo >"$publog" 2>&1; then
  result PASS "publish linux-arm64 (trimmed, self-contained, ReadyToRun)"
else
  cat "$publog" >&2; result FAIL "publish linux-arm64"; rm -f "$publog"; finish 1
fi
warnings=$(grep -E 'warning (IL[0-9]+|NU[0-9]+)' "$publog" | sort -u)
rm -f "$publog"
if [ -z "$warnings" ]; then result PASS "publish has no trim/AOT-analysis warnings"
else echo "$warnings" >&2; result FAIL "publish has warnings"; fi
size=$(stat -c %s "$OUT/netbootpi")
echo "arm64: netbootpi is $((size / 1024 / 1024)) MiB ($size bytes)"

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
rm -rf "$state"

# Messages as the shipped build prints them. It is built without the runtime's message texts
# (UseSystemResourceKeys), so anything quoted from a runtime exception would read like IO_FileNotFound_FileName:
# every message a user can meet must be a sentence of ours. Each case also must end in one line and exit 1,
# never in a stack trace or a crash.
says() { # says NAME EXPECTED-RC PATTERN -- ARGS...: runs the agent, checks its exit code and output
  local name=$1 want=$2 pattern=$3; shift 4
  local out rc
  out=$(run "$@" 2>&1); rc=$?
  if [ "$rc" = "$want" ] && grep -qF -- "$pattern" <<<"$out" && ! grep -qE '\b[A-Z][A-Za-z]+_[A-Z][A-Za-z]+(_[A-Za-z]+)*\b|^ +at |Unhandled exception' <<<"$out"; then
    result PASS "message: $name"
  else echo "$out" >&2; result FAIL "message: $name (exit $rc, expected $want and '$pattern')"; fi
}
msg=$(mktemp -d)
says "check of a missing file" 1 "/nonexistent/site.yaml:1:1: (file): cannot read the file: no such file or directory" -- check /nonexistent/site.yaml
says "check of a directory" 1 "cannot read the file: it is a directory" -- check "$msg"
printf 'site: { name: x }\n' > "$msg/secret.yaml"; chmod 600 "$msg/secret.yaml"; chmod 755 "$msg"
# As nobody, whom a root-only file refuses (root reads it anyway); the binary copied where nobody can reach it.
cp "$OUT/netbootpi" "$msg/netbootpi"
out=$(DOTNET_GCHeapHardLimit=0x10000000 timeout 300 setpriv --reuid=65534 --regid=65534 --clear-groups \
  qemu-aarch64-static -L "$SYSROOT" "$msg/netbootpi" check "$msg/secret.yaml" 2>&1); rc=$?
if [ $rc = 1 ] && grep -qF "cannot read the file: permission denied" <<<"$out"; then result PASS "message: check of an unreadable file"
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
says "a server that cannot listen" 1 "not starting: the HTTP server cannot listen on 192.0.2.77:1: 192.0.2.77 is not an address of this machine" \
  -- run --config "$msg/site.yaml" --listen 192.0.2.77 --tftp-port 0 --no-dhcp
python3 -c "import socket,time;s=socket.socket();s.bind(('127.0.0.1',0));s.listen();open('$msg/port','w').write(str(s.getsockname()[1]));time.sleep(300)" &
holder=$!
for _ in $(seq 50); do [ -s "$msg/port" ] && break; sleep 0.1; done
says "a port that is taken" 1 "the HTTP server cannot listen on 127.0.0.1:$(cat "$msg/port"): the port is in use" \
  -- run --config "$msg/site.yaml" --listen 127.0.0.1 --tftp-port 0 --no-dhcp --http-listen "127.0.0.1:$(cat "$msg/port")"
kill $holder 2>/dev/null; wait $holder 2>/dev/null
mkdir -p "$msg/state/overlays/02-00-00-00-00-09"; cp "$msg/site.yaml" "$msg/state/overlays/02-00-00-00-00-09/000001.tar.gz"
says "overlay get into a missing folder" 1 "netbootpi: cannot copy roamer's overlay to $msg/no/such/dir/x.tar.gz: no such file or directory" \
  -- overlay get roamer "$msg/no/such/dir/x.tar.gz" --config "$msg/site.yaml"
rm -rf "$msg"

grep -q '^FAIL' "$LOG.tmp" && finish 1
finish 0
