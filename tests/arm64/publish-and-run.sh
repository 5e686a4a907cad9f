#!/usr/bin/env bash
# The Pi build, checked on this x86-64 machine: publish the trimmed self-contained linux-arm64 agent,
# require zero trim/AOT-analysis warnings, then run the arm64 binary under qemu-user for --version and
# for `check` on the example site. Writes PASS/FAIL lines to $1 (and stdout); exits non-zero on any FAIL.
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

grep -q '^FAIL' "$LOG.tmp" && finish 1
finish 0
