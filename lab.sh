#!/usr/bin/env bash
# The main job, as far as it exists today: build netbootpi, validate the example site and show what it
# derives for a known and an unknown machine. (The network-boot lab — netbootpi serving a qemu VM in a
# private namespace — replaces this once the DHCP, TFTP and HTTP services are wired into the agent.)
# Usage: ./lab.sh [SITE_FILE]
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
command -v dotnet >/dev/null || { echo "lab.sh: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 1; }
SITE=${1:-examples/netsoc.yaml}

dotnet build src/Agent -c Release -nologo -v:q >/dev/null
NBP=src/Agent/bin/Release/net10.0/netbootpi

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
step "$NBP" --version
step "$NBP" check "$SITE"
first=$(sed -n 's/^  \([A-Za-z0-9-]*\): *{ *mac:.*/\1/p' "$SITE" | head -n1)
[ -n "$first" ] && step "$NBP" show host "$first" --config "$SITE"
step "$NBP" show host 52:54:00:12:34:56 --config "$SITE"
