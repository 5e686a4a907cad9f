#!/usr/bin/env bash
# How fast a real machine network-boots from netbootpi, against the dnsmasq + nginx stand-in, in the same run:
# the same qemu VM (one at a time), kernel and initrd, each server alone in a fresh namespace, several rounds
# alternating the servers, several boots per round. Prints the median time from qemu start to the initramfs's
# first marker (DHCP done in the booted kernel) for each, and the ratio. Goal: netbootpi no slower than the
# stand-in (ratio <= 1.0).
# Usage: bench/boot.sh [--fw bios|uefi] [--rounds N (3)] [--boots N per round and server (4, at least 2)]
#        (root; builds the agent first)
set -euo pipefail
if [ -z "${NETBOOTPI_BENCH_LOCKED:-}" ]; then
  exec env NETBOOTPI_BENCH_LOCKED=1 flock -o /tmp/netbootpi-build.lock timeout 3000 "$0" "$@"
fi
cd "$(dirname "$0")/.."
FW=bios; ROUNDS=3; BOOTS=4
while [ $# -gt 0 ]; do case "$1" in --fw) FW=$2; shift;; --rounds) ROUNDS=$2; shift;; --boots) BOOTS=$2; shift;; *) echo "bench/boot.sh: unknown argument $1" >&2; exit 2;; esac; shift; done
[ "$(id -u)" = 0 ] || { echo "bench/boot.sh: run as root" >&2; exit 1; }
[ "$BOOTS" -ge 2 ] || { echo "bench/boot.sh: --boots must be at least 2 (one cold, the rest warm)" >&2; exit 2; }
tools/deps.sh $(command -v nginx >/dev/null || echo nginx-light)  # any nginx will do
# Measure the agent as it ships: trimmed, self-contained, ReadyToRun (the Pi build, for this machine's CPU).
rid=linux-$(dotnet --info | awk '/^ *RID:/{print $2; exit}' | sed 's/^linux-//')
dotnet publish src/Agent -c Release -r "$rid" -o "artifacts/$rid" -nologo -v:q >/dev/null
export NETBOOTPI=$PWD/artifacts/$rid/netbootpi

# Each round starts each server once and boots the VM BOOTS times from it: the first boot after a server
# starts (cold: the agent is still compiling its hot paths) is reported apart from the later ones (warm: a box
# that has been up a while, which is where machines boot). The goal is on the warm medians.
declare -A COLD WARM
for r in $(seq "$ROUNDS"); do
  for server in netbootpi standin; do
    out=$(tests/e2e/boot.sh --fw "$FW" --vms 1 --boots "$BOOTS" --server "$server" 2>/dev/null) || { echo "$out"; echo "bench: a $server boot failed" >&2; exit 1; }
    times=$(awk '/^TIME vm0 /{print $3}' <<<"$out" | tr '\n' ' ')
    [ "$(wc -w <<<"$times")" = "$BOOTS" ] || { echo "$out"; echo "bench: $server did not report $BOOTS boot times" >&2; exit 1; }
    COLD[$server]+="${times%% *} "
    WARM[$server]+="${times#* } "
    printf 'round %d  %-9s %s s\n' "$r" "$server" "$times"
  done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
w_n=$(median "${WARM[netbootpi]}"); w_s=$(median "${WARM[standin]}")
c_n=$(median "${COLD[netbootpi]}"); c_s=$(median "${COLD[standin]}")
echo
printf '%-30s %14s %14s\n' "qemu start -> booted ($FW)" "warm median" "cold median"
printf '%-30s %12.2f s %12.2f s\n' "netbootpi" "$w_n" "$c_n"
printf '%-30s %12.2f s %12.2f s\n' "dnsmasq + nginx stand-in" "$w_s" "$c_s"
printf '%-30s %14s %14s   (goal: warm <= 1.00)\n' "ratio netbootpi / stand-in" "$(ratio "$w_n" "$w_s")" "$(ratio "$c_n" "$c_s")"
printf 'samples: %d warm and %d cold boots per server\n' "$(( ROUNDS * (BOOTS - 1) ))" "$ROUNDS"
