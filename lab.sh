#!/usr/bin/env bash
# The main job, shown end to end. As root on Debian 12 with the .NET 10 SDK:
#   1. installs what it needs (tools/deps.sh) and builds netbootpi;
#   2. validates the example site (examples/netsoc.yaml) and shows what it derives for a host and an unknown MAC;
#   3. starts netbootpi alone (DHCP, TFTP, HTTP) in a private lab network namespace with a lab site, network-boots
#      two qemu VMs from it (a known host and an unknown machine), streams the first VM's console here, checks
#      what happened (addresses, overlays fetched and uploaded, boot events), and removes the lab again.
# Usage: ./lab.sh [--fw bios|uefi] [SITE_FILE]
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
FW=bios; SITE=examples/netsoc.yaml
while [ $# -gt 0 ]; do case "$1" in --fw) FW=$2; shift;; *) SITE=$1;; esac; shift; done
command -v dotnet >/dev/null || { echo "lab.sh: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "lab.sh: run as root (it creates a network namespace and installs packages)" >&2; exit 1; }
tools/deps.sh

dotnet build src/Agent -c Release -nologo -v:q >/dev/null
NBP=src/Agent/bin/Release/net10.0/netbootpi

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
step "$NBP" --version
step "$NBP" check "$SITE"
first=$(sed -n 's/^  \([A-Za-z0-9-]*\): *{ *mac:.*/\1/p' "$SITE" | head -n1)
[ -n "$first" ] && step "$NBP" show host "$first" --config "$SITE"
step "$NBP" show host 52:54:00:12:34:56 --config "$SITE"

printf '\n\033[1m$ tests/e2e/boot.sh --fw %s --console\033[0m   (netbootpi serving two qemu VMs in a lab namespace)\n' "$FW"
tests/e2e/boot.sh --fw "$FW" --console
