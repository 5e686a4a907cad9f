#!/bin/bash
# The kernel lab's job runner, inside the VM: in fast mode a child of PID 1 (fast-init.sh), in systemd mode the
# unit netbootpi-lab-runner.service. It talks to run.sh over the virtio-serial port "netbootpi.lab", one line
# per message:
#   guest -> host   READY MODE STATE UPTIME      ready for jobs (STATE: "running", or systemd's state if not)
#                   DONE ID STATUS               job ID finished with exit status STATUS
#                   BYE                          after QUIT: file systems synced, the VM may be switched off
#                   ERROR TEXT                   a request it could not read
#   host -> guest   RUN ID                       run the job in $LAB_RUN/jobs/ID
#                   QUIT                         sync and stop
# A job folder holds "argv" (the command, each argument followed by a NUL byte: any bytes but NUL survive), and
# optionally "env" (NAME=VALUE entries, NUL-terminated, added to the environment) and "cwd". The runner writes
# "stdout" and "stderr" there while the job runs, and "status" when it has finished. The job runs as root, in a
# session of its own, with stdin from /dev/null, LAB_JOB_DIR set to its folder (read-write: it is on the run's
# share) and NETBOOTPI_KERNEL_LAB=1; whatever is left of its process group afterwards is killed.
set -u
. /etc/netbootpi-lab.conf
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 NETBOOTPI_KERNEL_LAB=1

port=
for _ in $(seq 300); do
  for n in /sys/class/virtio-ports/*/name; do
    [ -r "$n" ] && [ "$(cat "$n")" = netbootpi.lab ] && port=/dev/$(basename "$(dirname "$n")")
  done
  [ -n "$port" ] && [ -c "$port" ] && break
  port=; sleep 0.1
done
[ -n "$port" ] || { echo "LAB-FAIL runner: no virtio-serial port named netbootpi.lab" >/dev/console; exit 1; }
exec 3<>"$port"

state=running
if [ "$LAB_MODE" = systemd ]; then
  # Runs in a Type=exec unit: its start job is over before this waits, so the wait can end (a oneshot unit
  # in the boot transaction would wait for itself).
  state=$(systemctl is-system-running --wait 2>&1)
  [ "$state" = running ] || systemctl --failed --no-legend --plain > "$LAB_RUN/boot-failed" 2>&1
fi
read -r uptime _ < /proc/uptime
echo "READY $LAB_MODE $state $uptime" >&3

run_job() {
  local id=$1 dir=$LAB_RUN/jobs/$1 cwd=/ pid status
  local -a argv=() env=()
  if [[ ! $id =~ ^[A-Za-z0-9._-]+$ ]] || [ ! -f "$dir/argv" ]; then echo "ERROR no job '$id'" >&3; return; fi
  mapfile -d '' -t argv < "$dir/argv"
  [ -f "$dir/env" ] && mapfile -d '' -t env < "$dir/env"
  [ -f "$dir/cwd" ] && cwd=$(cat "$dir/cwd")
  (
    cd "$cwd" || exit 126
    export LAB_JOB_DIR=$dir
    for kv in "${env[@]}"; do export "$kv" || exit 126; done
    exec setsid -- "${argv[@]}"
  ) </dev/null >"$dir/stdout" 2>"$dir/stderr" &
  pid=$!
  wait "$pid"; status=$?
  # setsid made the job a session and process group of its own (its pid): nothing of it outlives it.
  kill -KILL -- -"$pid" 2>/dev/null
  echo "$status" > "$dir/status.tmp" && mv "$dir/status.tmp" "$dir/status"
  echo "DONE $id $status" >&3
}

while IFS= read -r line <&3; do
  case $line in
    "RUN "*) run_job "${line#RUN }" ;;
    QUIT) sync; echo BYE >&3; break ;;
    "") ;;
    *) echo "ERROR unknown request: $line" >&3 ;;
  esac
done
