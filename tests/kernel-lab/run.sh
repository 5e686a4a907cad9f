#!/usr/bin/env bash
# The kernel lab: runs COMMAND as root in a qemu VM with Debian's generic kernel (kernel.sh), which has what this
# machine's kernel lacks (802.1Q, WireGuard, nftables, nfsd, watchdogs, USB gadgets, V4L2). The VM's root is this
# machine's root, shared read-only over virtio-9p under a tmpfs overlay: the same binaries, packages, dotnet and
# freshly built assemblies, at the same paths (temporary folders included). Nothing is written to this machine
# except into the run's own folder.
#
# Usage: tests/kernel-lab/run.sh [OPTIONS] -- COMMAND [ARG...]     (root)
#        tests/kernel-lab/run.sh [OPTIONS] --serve                  (jobs on stdin; for test fixtures)
#   --systemd            systemd as PID 1 (system bus, systemd-networkd); COMMAND runs once the boot is done
#                        (systemctl is-system-running --wait). Default: fast mode, COMMAND as PID 1's child.
#   --nic netns=NS[,bridge=BR][,mac=MAC]
#                        a virtio-net NIC whose host end, a tap, is moved into network namespace NS (and into
#                        bridge BR there); the tap goes away with the VM
#   --nic socket,OPTIONS[,mac=MAC]
#                        a virtio-net NIC on a qemu socket network (OPTIONS as qemu's -netdev socket: e.g.
#                        listen=127.0.0.1:PORT / connect=127.0.0.1:PORT, or udp=127.0.0.1:P,localaddr=127.0.0.1:Q)
#   --disk FILE[,ro][,serial=NAME]
#                        FILE (raw) as a virtio disk (/dev/vda, /dev/vdb, ... in order); serial NAME (default
#                        diskN) in /sys/block/vdX/serial and /dev/disk/by-id/virtio-NAME (systemd mode)
#   --device SPEC        a qemu device (-device SPEC), e.g. i6300esb; watchdogs act with "reset", which ends
#                        the VM (-no-reboot) and is reported as a watchdog reset (exit status 121)
#   --env NAME=VALUE     added to COMMAND's environment (which is otherwise clean: PATH, HOME=/root, LANG,
#                        NETBOOTPI_KERNEL_LAB=1, LAB_JOB_DIR)
#   --mem MIB (2048)  --cpus N (2)
#   --accel auto|tcg|kvm  auto (default; or $KERNEL_LAB_ACCEL): KVM if a probe boot under KVM works (checked
#                        once per boot of this machine: /dev/kvm can be there and hang nested guests), else TCG
#   --timeout SECS       for the whole run, boot included (default 900)
#   --console            stream the VM's serial console to stderr     --keep   keep the run's folder
#   -v, --verbose        print the boot and command times to stderr
#   --check              only check the prerequisites and the lab kernel (exit 0, or 125 naming what is missing)
#
# COMMAND runs in the current directory, with stdin from /dev/null; its arguments reach it unchanged (through a
# file, NUL-separated); its stdout and stderr become run.sh's (after it has finished), its exit status run.sh's.
# LAB_JOB_DIR is a folder COMMAND may write to that this machine sees (the job's folder on the run's share).
# Exit status: COMMAND's, or 121 the VM was reset by its watchdog (QMP WATCHDOG event), 122 the VM stopped
# before COMMAND finished (reset, power-off, panic: the console's tail is printed), 124 timeout, 125 the lab
# could not run (a missing prerequisite is named with its Debian package).
#
# --serve: boots, prints "READY MODE STATE BOOT_SECONDS ACCEL SHARE" on stdout (STATE "running" or systemd's
# state), then reads requests on stdin, one a line: "RUN ID" runs the job the client put in SHARE/jobs/ID
# (files "argv" and optionally "env" and "cwd", as guest/runner.sh describes) and answers "DONE ID STATUS"
# once SHARE/jobs/ID/{stdout,stderr,status} are written; "QUIT" or the end of stdin stops the VM. If the VM
# ends on its own it prints "EXIT CODE REASON" (CODE as above) and exits. It stops too when its parent dies.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ME=kernel-lab

MODE=fast SERVE=0 CHECK=0 MEM=2048 CPUS=2 ACCEL=${KERNEL_LAB_ACCEL:-auto} TIMEOUT=900 CONSOLE=0 KEEP=0 VERBOSE=0
NICS=() DISKS=() DEVICES=() ENVS=()
die() { echo "$ME: $*" >&2; exit 125; }
while [ $# -gt 0 ]; do
  case $1 in
    --systemd) MODE=systemd ;;
    --serve) SERVE=1 ;;
    --check) CHECK=1 ;;
    --nic) NICS+=("${2:?--nic needs a value}"); shift ;;
    --disk) DISKS+=("${2:?--disk needs a value}"); shift ;;
    --device) DEVICES+=("${2:?--device needs a value}"); shift ;;
    --env) [[ ${2:-} == [A-Za-z_]*=* ]] || die "--env wants NAME=VALUE, not '${2:-}'"; ENVS+=("$2"); shift ;;
    --mem) MEM=${2:?}; shift ;;
    --cpus) CPUS=${2:?}; shift ;;
    --accel) ACCEL=${2:?}; shift ;;
    --timeout) TIMEOUT=${2:?}; shift ;;
    --console) CONSOLE=1 ;;
    --keep) KEEP=1 ;;
    -v|--verbose) VERBOSE=1 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown option '$1' (run.sh --help)" ;;
  esac
  shift
done
if [ $SERVE = 1 ] || [ $CHECK = 1 ]; then [ $# -eq 0 ] || die "--serve and --check take no COMMAND"
else [ $# -gt 0 ] || die "no COMMAND (run.sh [OPTIONS] -- COMMAND [ARG...]; run.sh --help)"; fi
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout wants seconds, not '$TIMEOUT'"

# ---- prerequisites, each named with the Debian package that has it (tools/deps.sh installs them all)
[ "$(id -u)" = 0 ] || die "needs root (it shares / with the VM as it is, and makes taps)"
need() { command -v "$1" >/dev/null || die "$1 is missing: install the Debian package $2 (tools/deps.sh installs it)"; }
need qemu-system-x86_64 qemu-system-x86
need setpriv util-linux
need modprobe kmod
[ ${#NICS[@]} -eq 0 ] || need ip iproute2
[ -e /usr/share/qemu/kvmvapic.bin ] || die "qemu's firmware files are missing: install qemu-system-data"
need mkfifo coreutils
[ -x /bin/busybox ] || die "/bin/busybox is missing: install the Debian package busybox-static (tools/deps.sh installs it)"
kernel=$("$HERE/kernel.sh") || die "the lab kernel is not available (see above)"
eval "$kernel"
[ $CHECK = 1 ] && exit 0

# KVM works if the lab kernel, booted without a root under it, gets to its panic within 20 s. Remembered per
# boot of this machine.
kvm_works() {
  [ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
  local probe; probe=$LAB_CACHE/kvm-probe.$(cat /proc/sys/kernel/random/boot_id)
  if [ ! -f "$probe" ]; then
    find "$LAB_CACHE" -maxdepth 1 -name 'kvm-probe.*' -delete   # earlier boots of this machine
    local log; log=$(mktemp)
    ( timeout 20 qemu-system-x86_64 -machine q35,accel=kvm -cpu host -m 256 -nodefaults -no-user-config -display none \
      -serial "file:$log" -kernel "$LAB_KERNEL" -append "console=ttyS0 panic=-1" -no-reboot ) >/dev/null 2>&1
    if grep -q 'Kernel panic' "$log"; then echo yes; else echo no; fi > "$probe.tmp" && mv "$probe.tmp" "$probe"
    rm -f "$log"
  fi
  [ "$(cat "$probe")" = yes ]
}
case $ACCEL in
  auto) if kvm_works; then ACCEL=kvm; else ACCEL=tcg; fi ;;
  kvm|tcg) ;;
  *) die "--accel wants auto, kvm or tcg, not '$ACCEL'" ;;
esac
if [ "$ACCEL" = kvm ]; then CPU=host; else CPU=max; fi

# ---- the run's folder: FIFOs for QMP and the job channel, logs, and the share the VM may write to
# A run killed outright (SIGKILL) could not remove its folder (its qemu died with it: pdeathsig below); the
# next run does. "owner" holds the pid and start time of the run.sh that made the folder.
started() { local f; read -r -a f 2>/dev/null < "/proc/$1/stat" && echo "${f[21]}"; }
for old in "${TMPDIR:-/tmp}"/netbootpi-kernel-lab.*/owner; do
  [ -f "$old" ] || continue
  read -r pid start < "$old"
  [ "$(started "$pid")" = "$start" ] || rm -rf "$(dirname "$old")"
done
RUN=$(mktemp -d "${TMPDIR:-/tmp}/netbootpi-kernel-lab.XXXXXX") || die "mktemp failed"
echo "$$ $(started $$)" > "$RUN/owner"
SHARE=$RUN/share QPID= TAIL= T0=$EPOCHREALTIME
cleanup() {
  trap '' INT TERM   # a second signal must not cut the clean-up short
  if [ -n "$QPID" ]; then
    kill "$QPID" 2>/dev/null
    for _ in $(seq 30); do alive || break; sleep 0.1; done
    kill -9 "$QPID" 2>/dev/null; wait "$QPID" 2>/dev/null
  fi
  [ -n "$TAIL" ] && { kill "$TAIL" 2>/dev/null; wait "$TAIL" 2>/dev/null; }
  if [ $KEEP = 1 ]; then echo "$ME: the run's folder is kept: $RUN" >&2; else rm -rf "$RUN"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$SHARE/jobs"
for p in "$RUN" "$HERE/guest" "$LAB_MODULES"; do
  [[ $p == /* && $p != *[\'$'\n']* ]] || die "paths with quotes or newlines are not supported: $p"
done
printf "LAB_MODE='%s'\nLAB_RUN='%s'\nLAB_GUEST='%s'\nLAB_MODULES='%s'\n" "$MODE" "$SHARE" "$HERE/guest" "$LAB_MODULES" > "$SHARE/config"
mkfifo "$RUN/qmp.in" "$RUN/qmp.out" "$RUN/lab.in" "$RUN/lab.out"
# Opened read-write: opening a FIFO that way never blocks, and the ends stay open whatever qemu does.
exec {QIN}<>"$RUN/qmp.in" {QOUT}<>"$RUN/qmp.out" {LIN}<>"$RUN/lab.in" {LOUT}<>"$RUN/lab.out"

# qemu is running (a zombie is not: kill -0 would say it is).
alive() { local st; [ -n "$QPID" ] && read -r _ _ st _ 2>/dev/null < "/proc/$QPID/stat" && [ "$st" != Z ]; }
elapsed() { local t=$(( (${EPOCHREALTIME/./} - ${1/./}) / 10000 )); printf '%d.%02d' $((t / 100)) $((t % 100)); }
say() { [ $VERBOSE = 1 ] && echo "$ME: $*" >&2; return 0; }

# read_line FD SECONDS: one whole line into LINE. 0: a line; 1: nothing yet; 2: end of input. A line can
# arrive in pieces; what a timed-out read got is kept for the next call.
declare -A PART=()
read_line() {
  local piece rc=0
  IFS= read -r -t "$2" piece <&"$1" || rc=$?
  if [ $rc = 0 ]; then LINE=${PART[$1]:-}$piece; PART[$1]=; LINE=${LINE%$'\r'}; return 0; fi
  PART[$1]=${PART[$1]:-}$piece
  [ $rc -gt 128 ] && return 1
  return 2
}

# ---- qemu
args=(-machine "q35,accel=$ACCEL" -cpu "$CPU" -m "$MEM" -smp "$CPUS" -nodefaults -no-user-config -display none
  -kernel "$LAB_KERNEL" -initrd "$LAB_INITRD" -append "console=ttyS0 quiet panic=-1 mitigations=off net.ifnames=0"
  -serial "file:$RUN/serial.log"
  -chardev "pipe,id=qmp,path=$RUN/qmp" -mon chardev=qmp,mode=control
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
  -fsdev "local,id=lab,path=$SHARE,security_model=none"
  -device virtio-9p-pci,fsdev=lab,mount_tag=lab
  -device virtio-serial-pci -chardev "pipe,id=labch,path=$RUN/lab" -device virtserialport,chardev=labch,name=netbootpi.lab
  -device virtio-rng-pci
  -action watchdog=reset -no-reboot
  -S)   # paused until the taps are where they belong
TAPS=() TAPNS=() TAPBR=()
i=0
for nic in "${NICS[@]}"; do
  mac=$(printf '52:54:6c:%02x:%02x:%02x' $(( ($$ >> 8) & 255 )) $(( $$ & 255 )) "$i")
  opts=()
  IFS=, read -r -a parts <<<"$nic"
  ns= br= kind=
  for kv in "${parts[@]}"; do
    case $kv in
      mac=*) mac=${kv#mac=} ;;
      netns=*) kind=tap ns=${kv#netns=} ;;
      bridge=*) br=${kv#bridge=} ;;
      socket) kind=socket ;;
      *) opts+=("$kv") ;;
    esac
  done
  case $kind in
    tap)
      [ ${#opts[@]} -eq 0 ] || die "--nic $nic: unknown options ${opts[*]}"
      [ -e "/run/netns/$ns" ] || die "--nic $nic: there is no network namespace '$ns' (ip netns add $ns)"
      if [ -n "$br" ] && ! ip -n "$ns" link show "$br" type bridge >/dev/null 2>&1; then die "--nic $nic: no bridge '$br' in namespace '$ns'"; fi
      tap=nbpl$$n$i
      TAPS+=("$tap") TAPNS+=("$ns") TAPBR+=("$br")
      # qemu makes the tap (not persistent: it goes when qemu does), here; it is moved once qemu has it.
      args+=(-netdev "tap,id=n$i,ifname=$tap,script=no,downscript=no") ;;
    socket)
      [ -z "$br" ] || die "--nic $nic: bridge= goes with netns="
      args+=(-netdev "socket,id=n$i$(printf ',%s' "${opts[@]}")") ;;
    *) die "--nic $nic: say netns=NS or socket,..." ;;
  esac
  args+=(-device "virtio-net-pci,netdev=n$i,mac=$mac")
  i=$((i + 1))
done
i=0
for disk in "${DISKS[@]}"; do
  IFS=, read -r -a parts <<<"$disk"
  file=${parts[0]} ro=off serial=disk$i
  for kv in "${parts[@]:1}"; do
    case $kv in ro) ro=on ;; serial=*) serial=${kv#serial=} ;; *) die "--disk $disk: unknown option $kv" ;; esac
  done
  [ -f "$file" ] || die "--disk $disk: no file $file"
  args+=(-drive "file=$file,if=none,id=d$i,format=raw,readonly=$ro" -device "virtio-blk-pci,drive=d$i,serial=$serial")
  i=$((i + 1))
done
for d in "${DEVICES[@]}"; do args+=(-device "$d"); done

: > "$RUN/serial.log"
# pdeathsig: qemu dies with run.sh even when run.sh is killed outright and its clean-up cannot run.
# The FIFOs are run.sh's own ends: qemu opens its own.
setpriv --pdeathsig KILL -- qemu-system-x86_64 "${args[@]}" </dev/null >"$RUN/qemu.out" 2>&1 {QIN}<&- {QOUT}<&- {LIN}<&- {LOUT}<&- &
QPID=$!
if [ $CONSOLE = 1 ]; then
  setpriv --pdeathsig KILL -- tail -n +1 -F "$RUN/serial.log" >&2 2>/dev/null {QIN}<&- {QOUT}<&- {LIN}<&- {LOUT}<&- &
  TAIL=$!
fi

# qmp COMMAND-JSON: sends it and waits (30 s) for its answer; events seen meanwhile go to the QMP log.
qmp() {
  printf '%s\n' "$1" >&"$QIN"
  local deadline=$((SECONDS + 30))
  while [ $SECONDS -lt $deadline ]; do
    if read_line "$QOUT" 0.5; then
      echo "$LINE" >> "$RUN/qmp.log"
      case $LINE in *'"return"'*) QMP_RETURN=$LINE; return 0 ;; *'"error"'*) return 1 ;; esac
    elif ! alive; then return 1; fi
  done
  return 1
}
# Whatever qemu said on QMP since (events: WATCHDOG, SHUTDOWN, RESET, ...) into the QMP log.
drain_qmp() { while read_line "$QOUT" 0.1; do echo "$LINE" >> "$RUN/qmp.log"; done; }

show_console() {
  echo "$ME: --- the VM's console (last 40 lines of $RUN/serial.log) ---" >&2
  tail -n 40 "$RUN/serial.log" | sed 's/\r$//' >&2
  [ -s "$RUN/qemu.out" ] && { echo "$ME: --- qemu said ---" >&2; cat "$RUN/qemu.out" >&2; }
}

# The VM ended by itself: says how (QMP events) and exits with 121 (watchdog) or 122. What a command wrote
# until then is passed on.
vm_ended() {
  wait "$QPID" 2>/dev/null; local qrc=$?
  QPID=
  drain_qmp
  if [ $SERVE = 0 ]; then
    [ -f "$SHARE/jobs/1/stdout" ] && cat "$SHARE/jobs/1/stdout"
    [ -f "$SHARE/jobs/1/stderr" ] && cat "$SHARE/jobs/1/stderr" >&2
  fi
  if grep -q '"event": *"WATCHDOG"' "$RUN/qmp.log" 2>/dev/null; then
    local action; action=$(grep -o '"WATCHDOG".*"action": *"[a-z-]*"' "$RUN/qmp.log" | head -n1 | sed 's/.*"action": *"//; s/"$//')
    echo "$ME: the VM was reset by its watchdog (QMP WATCHDOG event, action ${action:-reset}) $1" >&2
    [ $SERVE = 1 ] && echo "EXIT 121 watchdog-reset"
    exit 121
  fi
  local reason; reason=$(grep -o '"SHUTDOWN".*"reason": *"[a-z-]*"' "$RUN/qmp.log" | tail -n1 | sed 's/.*"reason": *"//; s/"$//')
  echo "$ME: the VM stopped $1 (qemu exit status $qrc${reason:+, QMP SHUTDOWN reason $reason})" >&2
  show_console
  [ $SERVE = 1 ] && echo "EXIT 122 ${reason:-qemu-exited}"
  exit 122
}

DEADLINE=$((SECONDS + TIMEOUT))
timed_out() {
  echo "$ME: timed out after ${TIMEOUT} s $1" >&2
  show_console
  [ $SERVE = 1 ] && echo "EXIT 124 timeout"
  exit 124
}

# QMP greets first, then takes commands once told the capabilities.
greeted=0
for _ in $(seq 60); do
  if read_line "$QOUT" 0.5; then echo "$LINE" >> "$RUN/qmp.log"; [[ $LINE == *'"QMP"'* ]] && { greeted=1; break; }
  elif ! alive; then break; fi
done
[ $greeted = 1 ] || { alive || vm_ended "while starting"; die "qemu did not greet on QMP within 30 s"; }
qmp '{"execute":"qmp_capabilities"}' || { alive || vm_ended "while starting"; die "qemu did not answer on QMP"; }
for k in "${!TAPS[@]}"; do
  tap=${TAPS[$k]} ns=${TAPNS[$k]} br=${TAPBR[$k]}
  ip link set "$tap" netns "$ns" || die "moving $tap into namespace $ns failed"
  [ -z "$br" ] || ip -n "$ns" link set "$tap" master "$br" || die "adding $tap to bridge $br in $ns failed"
  ip -n "$ns" link set "$tap" up || die "setting $tap up in $ns failed"
done
qmp '{"execute":"cont"}' || vm_ended "while starting"

# ---- the guest's runner says READY once the VM has booted (systemd: once the boot has finished)
# guest_line: the next line from the runner, or the run ends (VM gone, timeout, parent gone).
PARENT=$PPID
guest_line() {
  local n=0
  while :; do
    if read_line "$LOUT" 0.5; then return 0; fi
    # The guest's own scripts say "LAB-FAIL WHAT: WHY" on the console when they cannot go on.
    if [ $((n++ % 4)) = 0 ] && grep -aq '^LAB-FAIL' "$RUN/serial.log"; then
      echo "$ME: the VM failed $1: $(grep -a '^LAB-FAIL' "$RUN/serial.log" | head -n1 | tr -d '\r')" >&2
      show_console
      [ $SERVE = 1 ] && echo "EXIT 125 lab-failed"
      exit 125
    fi
    alive || { read_line "$LOUT" 0.2 && return 0; vm_ended "$1"; }
    [ $SECONDS -lt $DEADLINE ] || timed_out "$1"
    if [ $SERVE = 1 ] && [ ! -d /proc/$PARENT ]; then echo "$ME: the client (pid $PARENT) is gone; stopping" >&2; exit 125; fi
  done
}
while guest_line "before its job runner was ready"; do
  [[ $LINE == READY\ * ]] && break
done
read -r _ _ STATE UPTIME <<<"$LINE"
BOOT=$(elapsed "$T0")
say "$MODE boot ($ACCEL): ready after $BOOT s (guest uptime $UPTIME s), state $STATE"
if [ "$STATE" != running ]; then
  echo "$ME: systemd reports '$STATE'; failed units:" >&2
  sed 's/^/  /' "$SHARE/boot-failed" >&2 2>/dev/null
fi

finish() {   # QUIT: the runner syncs and answers BYE; then the VM is switched off (clean-up kills qemu)
  printf 'QUIT\n' >&"$LIN"
  local until=$((SECONDS + 30))
  while [ $SECONDS -lt $until ]; do
    if read_line "$LOUT" 0.5; then [ "$LINE" = BYE ] && return 0; fi
    alive || return 0
  done
  echo "$ME: the VM did not answer QUIT within 30 s" >&2
}

if [ $SERVE = 1 ]; then
  echo "READY $MODE $STATE $BOOT $ACCEL $SHARE"
  while :; do
    read_line 0 1; rc=$?
    if [ $rc = 2 ]; then finish; exit 0; fi
    if [ $rc = 1 ]; then
      alive || vm_ended "while idle"
      [ -d /proc/$PARENT ] || { echo "$ME: the client (pid $PARENT) is gone; stopping" >&2; exit 125; }
      continue
    fi
    case $LINE in
      QUIT) finish; exit 0 ;;
      "RUN "*)
        DEADLINE=$((SECONDS + TIMEOUT))   # the timeout is per job here; the client bounds its jobs itself too
        printf '%s\n' "$LINE" >&"$LIN"
        while guest_line "while running job ${LINE#RUN }"; do
          case $LINE in DONE\ *|ERROR\ *) echo "$LINE"; break ;; esac
        done ;;
      *) echo "ERROR unknown request: $LINE" ;;
    esac
  done
fi

# ---- one command: its job folder, then RUN, DONE, output, QUIT
job=$SHARE/jobs/1
mkdir -p "$job"
printf '%s\0' "$@" > "$job/argv"
[ ${#ENVS[@]} -eq 0 ] || printf '%s\0' "${ENVS[@]}" > "$job/env"
printf '%s' "$PWD" > "$job/cwd"
T1=$EPOCHREALTIME
printf 'RUN 1\n' >&"$LIN"
while guest_line "before COMMAND finished"; do
  case $LINE in
    "DONE 1 "*) break ;;
    ERROR\ *) die "the VM's runner: ${LINE#ERROR }" ;;
  esac
done
status=${LINE#DONE 1 }
say "COMMAND: exit status $status after $(elapsed "$T1") s; total $(elapsed "$T0") s"
cat "$job/stdout"
cat "$job/stderr" >&2
finish
exit "$status"
