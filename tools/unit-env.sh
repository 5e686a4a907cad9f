#!/usr/bin/env bash
# Prints the environment that image/netbootpi.service gives the agent on the Pi, one NAME=VALUE per line,
# so that the benchmarks run the agent as the unit does. Takes the plain form only (Environment=NAME=VALUE,
# one assignment, no quotes or spaces) and fails on any other Environment= line rather than drop it.
set -euo pipefail
unit=$(dirname "$0")/../image/netbootpi.service
n=0
while IFS= read -r line || [ -n "$line" ]; do
  n=$((n + 1))
  case "$line" in
    Environment=*)
      kv=${line#Environment=}
      [[ $kv =~ ^[A-Za-z_][A-Za-z0-9_]*=[A-Za-z0-9_.,:/+@%=-]*$ ]] \
        || { echo "tools/unit-env.sh: $unit:$n: Environment= in a form this script does not read: $line" >&2; exit 1; }
      echo "$kv";;
  esac
done < "$unit"
