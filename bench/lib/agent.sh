# Sourced by the benchmarks: the agent as users run it, and the figures every bench prints beside its rates.
#   publish_agent   sets AGENT to the published netbootpi: the README's command (`dotnet publish src/Agent -c Release
#                   -r linux-x64`, trimmed, self-contained, ReadyToRun), or $AGENT when the caller names a binary.
#   UNIT_ENV        the environment image/netbootpi.service gives the agent (NAME=VALUE words, for env).
#   peak_rss PID    the process's peak resident set (VmHWM) in MiB, read while it still runs.

publish_agent() {
  if [ -n "${AGENT:-}" ]; then
    [ -x "$AGENT" ] || { echo "bench: AGENT=$AGENT is not an executable" >&2; return 1; }
  else
    local rid
    rid=linux-$(dotnet --info | awk '/^ *RID:/{print $2; exit}' | sed 's/^linux-//')
    echo "publishing the agent: dotnet publish src/Agent -c Release -r $rid -o artifacts/$rid" >&2
    dotnet publish src/Agent -c Release -r "$rid" -o "artifacts/$rid" -nologo -v:q >/dev/null
    AGENT=$PWD/artifacts/$rid/netbootpi
  fi
  AGENT=$(readlink -f "$AGENT")
  UNIT_ENV=$(tools/unit-env.sh | tr '\n' ' ')
  echo "agent under test: $AGENT ($(stat -c %s "$AGENT") bytes), run --config SITE with the unit's environment: ${UNIT_ENV:-none}" >&2
}

peak_rss() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }
