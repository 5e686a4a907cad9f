#!/bin/bash
# PID 1 of a fast-mode lab VM, after the initramfs's switch_root into the shared root: the file systems a
# program expects, the drivers for the VM's devices (what udev's coldplug would load), then the job runner;
# once the runner has stopped, sync and power off (qemu exits).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /dev/pts
ln -sf pts/ptmx /dev/ptmx 2>/dev/null
ln -sf /proc/self/fd /dev/fd; ln -sf fd/0 /dev/stdin; ln -sf fd/1 /dev/stdout; ln -sf fd/2 /dev/stderr
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/lock /run/netns
mount -t cgroup2 cgroup2 /sys/fs/cgroup
modprobe -q configfs; mount -t configfs configfs /sys/kernel/config
mount -t debugfs debugfs /sys/kernel/debug
hostname netbootpi-lab
ip link set lo up
# Coldplug: the module of every device present, by its modalias (no udev here).
cat /sys/bus/*/devices/*/modalias 2>/dev/null | sort -u | xargs -r modprobe -q -a -b 2>/dev/null
bash "$(dirname "$0")/runner.sh"
sync
echo o > /proc/sysrq-trigger
sleep 10
