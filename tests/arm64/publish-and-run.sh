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

grep -q '^FAIL' "$LOG.tmp" && finish 1
finish 0
