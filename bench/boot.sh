#!/usr/bin/env bash
# How fast a real machine network-boots from netbootpi, against the dnsmasq + nginx stand-in, in the same run:
# the same qemu VM (one at a time), kernel and initrd, each server alone in a fresh namespace, several rounds
# alternating the servers. Prints the median time from qemu start to the initramfs's first marker (DHCP done
# in the booted kernel) for each, and the ratio. Goal: netbootpi no slower than the stand-in (ratio <= 1.0).
# Usage: bench/boot.sh [--fw bios|uefi] [--rounds N]     (root; builds the agent first)
set -euo pipefail
if [ -z "${NETBOOTPI_BENCH_LOCKED:-}" ]; then
  exec env NETBOOTPI_BENCH_LOCKED=1 flock -o /tmp/netbootpi-build.lock timeout 3000 "$0" "$@"
fi
cd "$(dirname "$0")/.."
FW=bios; ROUNDS=3
while [ $# -gt 0 ]; do case "$1" in --fw) FW=$2; shift;; --rounds) ROUNDS=$2; shift;; *) echo "bench/boot.sh: unknown argument $1" >&2; exit 2;; esac; shift; done
[ "$(id -u)" = 0 ] || { echo "bench/boot.sh: run as root" >&2; exit 1; }
tools/deps.sh $(command -v nginx >/dev/null || echo nginx-light)  # any nginx will do
# Measure the agent as it ships: trimmed, self-contained, ReadyToRun (the Pi build, for this machine's CPU).
rid=linux-$(dotnet --info | awk '/^ *RID:/{print $2; exit}' | sed 's/^linux-//')
dotnet publish src/Agent -c Release -r "$rid" -o "artifacts/$rid" -nologo -v:q >/dev/null
export NETBOOTPI=$PWD/artifacts/$rid/netbootpi

declare -A T
for r in $(seq "$ROUNDS"); do
  for server in netbootpi standin; do
    out=$(tests/e2e/boot.sh --fw "$FW" --vms 1 --server "$server" 2>/dev/null) || { echo "$out"; echo "bench: a $server boot failed" >&2; exit 1; }
    t=$(awk '/^TIME vm0 /{print $3}' <<<"$out")
    T[$server]+="$t "
    printf 'round %d  %-9s %6.2f s\n' "$r" "$server" "$t"
  done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m_n=$(median "${T[netbootpi]}"); m_s=$(median "${T[standin]}")
echo
printf '%-28s %8s\n' "qemu start -> booted ($FW)" "median"
printf '%-28s %7.2f s\n' "netbootpi" "$m_n"
printf '%-28s %7.2f s\n' "dnsmasq + nginx stand-in" "$m_s"
printf '%-28s %7.2f   (goal <= 1.00)\n' "ratio netbootpi / stand-in" "$(awk -v a="$m_n" -v b="$m_s" 'BEGIN{print a/b}')"
