#!/usr/bin/env bash
# The whole test suite: installs what the tests need, builds, runs every test project, then the arm64 checks
# and the whole network boots.
# Usage: ./test.sh   as root: the integration tests create network namespaces and VMs, deps.sh installs packages
# Prints each tier's time as it ends and all of them at the end (docs/testing.md keeps their budgets), then
# one line "tests: N passed, N failed, N skipped"; exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

command -v dotnet >/dev/null || { echo "test.sh: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 1; }

times=()
tier_start() { tier_t0=$SECONDS; }
tier_end() {
  local line; line=$(printf '%-34s %4d s' "$1" $((SECONDS - tier_t0)))
  times+=("$line"); echo "time: $line"
}

tier_start
tools/deps.sh || exit 1
tier_end "deps"

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

tier_start
dotnet build NetbootPi.sln -c Release -nologo -v:q || { echo "tests: 0 passed, 1 failed"; exit 1; }
tier_end "build"

# The agent as it ships (NativeAOT, the README's publish command) for the kernel lab's VMs: under software
# emulation the JIT build costs seconds at every start. The lab publishes it itself when it is missing or stale.
tier_start
dotnet publish src/Agent -c Release -r linux-x64 -o artifacts/linux-x64 -nologo -v:q || { echo "tests: 0 passed, 1 failed"; exit 1; }
tier_end "publish linux-x64"

# One project at a time, each with its own result file: integration tests start real peers, qemu and
# namespaces, and the machine has two cores.
test_rc=0
for proj in $(dotnet sln NetbootPi.sln list | grep -E '^tests/.*\.csproj$'); do
  name=$(basename "$proj" .csproj)
  tier_start
  dotnet test "$proj" -c Release --no-build -nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    || test_rc=1
  tier_end "$name"
  # Tests report measured times as "TIME ..." lines in their output (the kernel lab's boots).
  [ -f "$results/$name.trx" ] && grep -o 'TIME [^<&]*' "$results/$name.trx" | sed 's/^/  /'
done

passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  # <Counters total="…" executed="…" passed="…" failed="…" … notExecuted="…" />
  c=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$c"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$c")
  s=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$c")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
done
if [ $test_rc -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi   # a crashed test host counts as a failure

# Coverage-guided fuzzing: every parser that reads network or user bytes under afl-fuzz for about 100,000
# executions, two targets at a time (two cores); any crash, hang or broken invariant fails (docs/reliability.md).
tier_start
fuzz_targets=(dhcp tftp dns site overlay http)
for ((i = 0; i < ${#fuzz_targets[@]}; i += 2)); do
  for t in "${fuzz_targets[@]:i:2}"; do
    NETBOOTPI_BENCH_LOCKED=1 bench/fuzz.sh "$t" --execs 100000 --no-build > "$results/fuzz-$t.log" 2>&1 &
  done
  wait
done
for t in "${fuzz_targets[@]}"; do
  cat "$results/fuzz-$t.log"
  p=$(grep -c '^PASS' "$results/fuzz-$t.log"); f=$(grep -c '^FAIL' "$results/fuzz-$t.log")
  passed=$((passed + p)); failed=$((failed + f))
  grep -q '^\(PASS\|FAIL\|SKIP\)' "$results/fuzz-$t.log" || failed=$((failed + 1))
  grep -q '^SKIP' "$results/fuzz-$t.log" && skipped=$((skipped + 1))
done
tier_end "fuzz (6 targets)"

# The Pi build: trimmed self-contained linux-arm64, run under qemu-user (each check counts as a test).
tier_start
if tests/arm64/publish-and-run.sh "$results/arm64.log"; then
  passed=$((passed + $(grep -c '^PASS' "$results/arm64.log")))
else
  cat "$results/arm64.log" >&2
  passed=$((passed + $(grep -c '^PASS' "$results/arm64.log"))); failed=$((failed + $(grep -c '^FAIL' "$results/arm64.log")))
  [ "$(grep -c '^FAIL' "$results/arm64.log")" -gt 0 ] || failed=$((failed + 1))
fi
tier_end "arm64 publish and run"

# Whole network boots: real firmware in qemu, netbootpi alone serving DHCP, TFTP and HTTP in a namespace.
for fw in bios uefi; do
  tier_start
  tests/e2e/boot.sh --fw "$fw" > "$results/e2e-$fw.log" 2>"$results/e2e-$fw.err"; rc=$?
  cat "$results/e2e-$fw.log"
  p=$(grep -c '^PASS' "$results/e2e-$fw.log"); f=$(grep -c '^FAIL' "$results/e2e-$fw.log")
  passed=$((passed + p)); failed=$((failed + f))
  if [ $rc -ne 0 ]; then
    cat "$results/e2e-$fw.err" >&2
    [ "$f" -gt 0 ] || failed=$((failed + 1))
  fi
  tier_end "whole boots ($fw)"
done

# A UEFI boot (TFTP and HTTP) while a hostile client on the same bridge runs each attack of docs/reliability.md:
# slow-loris HTTP, half-open TFTP transfers, an INFORM flood.
tier_start
for attack in http tftp inform; do
  tests/e2e/boot.sh --fw uefi --vms 1 --attack "$attack" > "$results/e2e-attack-$attack.log" 2>"$results/e2e-attack-$attack.err"; rc=$?
  sed "s/^\(PASS\|FAIL\) e2e-uefi:/\1 e2e-attack-$attack:/" "$results/e2e-attack-$attack.log"
  p=$(grep -c '^PASS' "$results/e2e-attack-$attack.log"); f=$(grep -c '^FAIL' "$results/e2e-attack-$attack.log")
  passed=$((passed + p)); failed=$((failed + f))
  if [ $rc -ne 0 ]; then
    cat "$results/e2e-attack-$attack.err" >&2
    [ "$f" -gt 0 ] || failed=$((failed + 1))
  fi
done
tier_end "whole boots (uefi, under attack)"

# Redfish's one-time boot override on a VM whose profile is its local disk (docs/compat.md's curl recipes).
tier_start
tests/e2e/redfish-boot.sh > "$results/e2e-redfish.log" 2>"$results/e2e-redfish.err"; rc=$?
cat "$results/e2e-redfish.log"
p=$(grep -c '^PASS' "$results/e2e-redfish.log"); f=$(grep -c '^FAIL' "$results/e2e-redfish.log")
passed=$((passed + p)); failed=$((failed + f))
if [ $rc -ne 0 ]; then
  cat "$results/e2e-redfish.err" >&2
  [ "$f" -gt 0 ] || failed=$((failed + 1))
fi
tier_end "whole boots (redfish override)"

echo "tier times (budgets: docs/testing.md):"
printf '  %s\n' "${times[@]}"
printf '  %-34s %4d s\n' "total" "$SECONDS"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
