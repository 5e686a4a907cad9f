#!/usr/bin/env bash
# How fast a real machine network-boots from netbootpi, against the dnsmasq + nginx stand-in, in the same run:
# the same qemu VM, kernel and initrd; each server alone in its own namespace, both up at once, and the VM
# booting from one and then the other in turn (ABBA order), so that whatever else the machine is doing
# falls on both alike. Prints the time from qemu start to the initramfs's first marker (DHCP done in the
# booted kernel) for each boot, the medians and their ratio. Goal: netbootpi no slower than the stand-in
# (warm ratio <= 1.00).
# Usage: bench/boot.sh [--fw bios|uefi] [--boots N per server (12, at least 2)]   (root; builds the agent first)
set -euo pipefail
if [ -z "${NETBOOTPI_BENCH_LOCKED:-}" ]; then
  exec env NETBOOTPI_BENCH_LOCKED=1 flock -o /tmp/netbootpi-build.lock timeout --foreground 3000 "$0" "$@"
fi
cd "$(dirname "$0")/.."
FW=bios; BOOTS=12
while [ $# -gt 0 ]; do case "$1" in --fw) FW=$2; shift;; --boots) BOOTS=$2; shift;; *) echo "bench/boot.sh: unknown argument $1" >&2; exit 2;; esac; shift; done
[ "$(id -u)" = 0 ] || { echo "bench/boot.sh: run as root" >&2; exit 1; }
[ "$BOOTS" -ge 2 ] || { echo "bench/boot.sh: --boots must be at least 2 (one cold, the rest warm)" >&2; exit 2; }
tools/deps.sh $(command -v nginx >/dev/null || echo nginx-light)  # any nginx will do
# Measure the agent as it ships: trimmed, self-contained, ReadyToRun (the Pi build, for this machine's CPU),
# with the environment the systemd unit gives it (image/netbootpi.service).
rid=linux-$(dotnet --info | awk '/^ *RID:/{print $2; exit}' | sed 's/^linux-//')
dotnet publish src/Agent -c Release -r "$rid" -o "artifacts/$rid" -nologo -v:q >/dev/null
export NETBOOTPI=$PWD/artifacts/$rid/netbootpi
unit_env=$(tools/unit-env.sh)
while read -r kv; do [ -n "$kv" ] && export "$kv"; done <<<"$unit_env"
tests/e2e/artifacts.sh >/dev/null   # once, before two harnesses use the cache

SERVERS=(netbootpi standin)
W=$(mktemp -d /tmp/netbootpi-bench-boot.XXXXXX)
declare -A HPID TFD
cleanup() {
  trap "" INT TERM
  for s in "${SERVERS[@]}"; do [ -n "${HPID[$s]:-}" ] && kill "${HPID[$s]}" 2>/dev/null; done
  wait 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Each harness starts its server, then boots the VM once per turn it is given.
for s in "${SERVERS[@]}"; do
  mkfifo "$W/$s.turn"; exec {fd}<>"$W/$s.turn"; TFD[$s]=$fd
  tests/e2e/boot.sh --fw "$FW" --vms 1 --boots "$BOOTS" --server "$s" --turns "$W/$s.turn" >"$W/$s.out" 2>"$W/$s.err" &
  HPID[$s]=$!
done
gone() { echo "bench: the $1 harness failed or ended early" >&2; cat "$W/$1.out" >&2; tail -n 20 "$W/$1.err" >&2; exit 1; }
await() {  # server, line
  until grep -qxF "$2" "$W/$1.out"; do kill -0 "${HPID[$1]}" 2>/dev/null || grep -qxF "$2" "$W/$1.out" || gone "$1"; sleep 0.1; done
}
time_of() { awk -v n="$2" '/^TIME vm0 /{if (++i == n) print $3}' "$W/$1.out"; }

declare -A ALL
for b in $(seq "$BOOTS"); do
  order=("${SERVERS[@]}"); [ $((b % 2)) = 0 ] && order=(standin netbootpi)
  for s in "${order[@]}"; do await "$s" "TURN-WAIT $b"; done   # both ready: neither server is starting up
  for s in "${order[@]}"; do
    echo go >&"${TFD[$s]}"
    await "$s" "TURN-DONE $b"
    t=$(time_of "$s" "$b"); [ -n "$t" ] || gone "$s"
    ALL[$s]+="$t "
  done
  printf 'boot %2d  netbootpi %6.2f s  stand-in %6.2f s%s\n' "$b" "$(time_of netbootpi "$b")" "$(time_of standin "$b")" "$([ "$b" = 1 ] && echo '  (cold: servers just started)')"
done
for s in "${SERVERS[@]}"; do await "$s" "TURN-WAIT end"; done   # both done: now each may check and clean up
for s in "${SERVERS[@]}"; do echo go >&"${TFD[$s]}"; done
for s in "${SERVERS[@]}"; do wait "${HPID[$s]}" || gone "$s"; HPID[$s]=; done

median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
warm() { cut -d' ' -f2- <<<"${ALL[$1]}"; }
w_n=$(median "$(warm netbootpi)"); w_s=$(median "$(warm standin)")
paired() { paste -d' ' <(warm netbootpi | tr ' ' '\n') <(warm standin | tr ' ' '\n') | awk 'NF == 2'; }   # "nb st" per boot
pairs=$(paired | awk '{printf "%s ", $1/$2}')
# How far the ratio moves with which boots happened to be slow: the 5th-95th percentile of the ratio of
# medians over 2000 resamplings of the boot pairs (bootstrap, fixed seed so a rerun of the same times agrees).
interval() {
  paired | awk '
    function med(v, m,   i, j, t, w) { for (i = 1; i <= m; i++) w[i] = v[i]
      for (i = 2; i <= m; i++) { t = w[i]; for (j = i - 1; j >= 1 && w[j] > t; j--) w[j + 1] = w[j]; w[j + 1] = t }
      return m % 2 ? w[(m + 1) / 2] : (w[m / 2] + w[m / 2 + 1]) / 2 }
    { n++; a[n] = $1; b[n] = $2 }
    END { srand(1); B = 2000
      for (k = 1; k <= B; k++) { for (i = 1; i <= n; i++) { j = int(rand() * n) + 1; x[i] = a[j]; y[i] = b[j] }
        r[k] = med(x, n) / med(y, n) }
      for (i = 2; i <= B; i++) { t = r[i]; for (j = i - 1; j >= 1 && r[j] > t; j--) r[j + 1] = r[j]; r[j + 1] = t }
      printf "%.2f-%.2f", r[int(B * 0.05)], r[int(B * 0.95)] }'
}
echo
printf '%-32s %s\n' "qemu start -> booted ($FW)" "median of $((BOOTS - 1)) warm boots"
printf '%-32s %8.2f s\n' "netbootpi" "$w_n"
printf '%-32s %8.2f s\n' "dnsmasq + nginx stand-in" "$w_s"
printf '%-32s %8s     (goal: <= 1.00; 90%% of resamplings: %s)\n' "ratio netbootpi / stand-in" "$(ratio "$w_n" "$w_s")" "$(interval)"
printf '%-32s %8.2f\n' "median of the boot-by-boot ratios" "$(median "$pairs")"
