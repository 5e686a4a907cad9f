#!/usr/bin/env bash
# Prints the environment that image/netbootpi.service gives the agent on the Pi, one NAME=VALUE per line,
# so that the benchmarks run the agent as the unit does:  env $(tools/unit-env.sh) netbootpi run ...
set -euo pipefail
sed -n 's/^Environment=\([A-Za-z_][A-Za-z0-9_]*=[^ ]*\)$/\1/p' "$(dirname "$0")/../image/netbootpi.service"
