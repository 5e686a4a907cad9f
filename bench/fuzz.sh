#!/usr/bin/env bash
# Runs one coverage-guided fuzz target (bench/fuzz: a parser that reads network or user bytes, with its invariants)
# under AFL++'s afl-fuzz, the parser's assemblies instrumented by SharpFuzz. Seeds are the tests' golden captures
# and vectors plus every input in bench/fuzz/regressions/TARGET; findings go to artifacts/fuzz/TARGET/out.
# Prints one line "PASS fuzz TARGET: N executions, ..." or "FAIL fuzz TARGET: ..." with every crash replayed
# (docs/reliability.md: what each target checks, the runs so far).
#
# Usage: bench/fuzz.sh TARGET [--seconds N | --execs N] [--no-build]
#   TARGET       dhcp, tftp, dns, site, overlay or http
#   --seconds N  fuzz for N seconds (default 60)
#   --execs N    fuzz for about N executions instead (./test.sh: 100000)
#   --no-build   use the solution's Release build as it is (./test.sh has just built it)
# Needs afl-fuzz (Debian's afl++: tools/deps.sh) and the .NET SDK (the sharpfuzz tool restores from
# .config/dotnet-tools.json). Without afl-fuzz it skips with a reason, except under CI=true, where it fails.
# Takes the shared build lock unless NETBOOTPI_BENCH_LOCKED is set (./test.sh sets it: it runs alone).
set -Eeuo pipefail
if [ -z "${NETBOOTPI_BENCH_LOCKED:-}" ]; then
  exec env NETBOOTPI_BENCH_LOCKED=1 flock -o /tmp/netbootpi-build.lock "$0" "$@"
fi
cd "$(dirname "$0")/.."

usage() { sed -n '2,/^set -E/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
target=$1; shift
seconds=60 execs="" build=1
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --execs) execs=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) usage ;;
  esac
done

# What SharpFuzz instruments for each target: the parser's namespaces (coverage elsewhere is noise in afl's map).
case $target in
  dhcp) instrument=("NetbootPi.Protocols.dll NetbootPi.Protocols.Dhcp") ;;
  tftp) instrument=("NetbootPi.Protocols.dll NetbootPi.Protocols.Tftp NetbootPi.Protocols.Files") ;;
  dns) instrument=("NetbootPi.Protocols.dll NetbootPi.Protocols.Dns") ;;
  site) instrument=("netbootpi.dll NetbootPi.Agent.Site" "YamlDotNet.dll") ;;
  # The gzip reader is the shared framework's (System.IO.Compression), which the runtime loads from its own
  # folder: our check and its tar walk are instrumented, the invariants hold for all of it.
  overlay) instrument=("netbootpi.dll NetbootPi.Agent.Overlays") ;;
  http) instrument=("netbootpi.dll NetbootPi.Agent.Http" "NetbootPi.Protocols.dll NetbootPi.Protocols.Files") ;;
  *) echo "fuzz.sh: no target '$target' (expected dhcp, tftp, dns, site, overlay or http)" >&2; exit 2 ;;
esac

if ! command -v afl-fuzz >/dev/null; then
  if [ "${CI:-}" = true ]; then
    echo "FAIL fuzz $target: afl-fuzz is not installed (tools/deps.sh installs Debian's afl++)"; exit 1
  fi
  echo "SKIP fuzz $target: afl-fuzz is not installed (tools/deps.sh installs Debian's afl++)"; exit 0
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ $build -eq 1 ]; then
  dotnet build bench/fuzz/NetbootPi.Fuzz.csproj -c Release -nologo -v:q >/dev/null
fi
dotnet tool restore >/dev/null

work=artifacts/fuzz/$target
bin=$work/bin
rm -rf "$bin" "$work/out" "$work/in" "$work/tmp"
mkdir -p "$work/in" "$work/tmp"
built=bench/fuzz/bin/Release/net10.0
# Seeds and replays run the plain build: instrumented code only runs under afl-fuzz (its coverage map).
dotnet "$built/NetbootPi.Fuzz.dll" seeds "$target" "$work/in" >/dev/null
[ -d "bench/fuzz/regressions/$target" ] && cp "bench/fuzz/regressions/$target"/* "$work/in/" 2>/dev/null || true
cp -r "$built" "$bin"
for spec in "${instrument[@]}"; do
  read -r dll prefixes <<<"$spec"
  # shellcheck disable=SC2086  # the prefixes are words
  dotnet sharpfuzz "$bin/$dll" $prefixes >/dev/null
done

# afl-fuzz's own checks that do not apply here: dotnet itself is not instrumented (the assemblies are); the CPU
# governor is the machine's; cores may be busy with another run (no pinning). A core_pattern that pipes to a
# program delays crash reports; it is the machine's setting, so say it is known rather than change it.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 AFL_FORKSRV_INIT_TMOUT=60000
case $(cat /proc/sys/kernel/core_pattern) in \|*) export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 ;; esac
# The targets' served trees (symlinks in and out of a root) go here, not into /tmp.
export TMPDIR=$PWD/$work/tmp
limit=(-V "$seconds")
[ -n "$execs" ] && limit=(-E "$execs")
start=$SECONDS
# -t: a hang is an input one run of which takes 2 s (a JIT-compiled first run of a path takes a few ms).
afl-fuzz -i "$work/in" -o "$work/out" -t 2000 -m none "${limit[@]}" -- dotnet "$bin/NetbootPi.Fuzz.dll" "$target" \
  > "$work/afl.log" 2>&1 || { tail -30 "$work/afl.log" >&2; echo "FAIL fuzz $target: afl-fuzz stopped with an error ($work/afl.log)"; exit 1; }

stat() { sed -n "s/^$1 *: *//p" "$work/out/default/fuzzer_stats"; }
executions=$(stat execs_done) crashes=$(stat saved_crashes) hangs=$(stat saved_hangs) paths=$(stat corpus_count)
summary="$executions executions, $paths inputs in the corpus, $crashes crashes, $hangs hangs, $((SECONDS - start)) s"
if [ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ]; then
  echo "PASS fuzz $target: $summary"
  exit 0
fi
echo "FAIL fuzz $target: $summary (inputs in $work/out/default/crashes and hangs; replayed below)"
for f in "$work/out/default/crashes"/id:* "$work/out/default/hangs"/id:*; do
  [ -f "$f" ] || continue
  timeout 20 dotnet "$built/NetbootPi.Fuzz.dll" run "$target" "$f" | head -20 || true
done
exit 1
