#!/bin/busybox sh
# /init of the kernel lab's initramfs (kernel.sh builds it: busybox-static, the modules in /modules/order).
# It mounts this machine's root (9p share "hostroot", read-only) under a tmpfs overlay, mounts the run's own
# read-write share ("lab") at the path it has on the host, binds the lab kernel's modules at /lib/modules/KVER
# and hands over with switch_root (not chroot: the kernel runs /sbin/modprobe in init's root, so module
# autoloading only works once init's root is the shared one):
#   LAB_MODE=fast     PID 1 is guest/fast-init.sh, which runs the job runner and powers off
#   LAB_MODE=systemd  PID 1 is systemd; the job runner is a unit started once the boot is done
# The share's file "config" (written by run.sh) sets LAB_MODE, LAB_RUN (the share's host path), LAB_GUEST (the
# guest scripts' folder) and LAB_MODULES (the modules' host path). Any failure prints "LAB-FAIL initramfs: ..."
# on the serial console and powers off, which run.sh reports with the console's tail.
/bin/busybox --install -s /bin
export PATH=/bin
fail() { echo "LAB-FAIL initramfs: $*"; poweroff -f; sleep 5; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r m; do insmod "/modules/$m" || fail "insmod $m"; done < /modules/order

# 9p moves at most msize bytes per request: large ones make reading the shared root several times faster.
P9="trans=virtio,version=9p2000.L,msize=512000"
mkdir -p /mnt/lab /mnt/lower /mnt/rw /mnt/root
mount -t 9p -o "$P9" lab /mnt/lab || fail "mount the lab share"
[ -f /mnt/lab/config ] || fail "the lab share has no config"
. /mnt/lab/config
# Remapped inode numbers (multidevs=remap on the host side) keep files from different host filesystems apart.
mount -t 9p -o "$P9,ro" hostroot /mnt/lower || fail "mount the host root"
mount -t tmpfs -o mode=0755 tmpfs /mnt/rw || fail "mount the overlay's tmpfs"
mkdir -p /mnt/rw/upper /mnt/rw/work
mount -t overlay overlay -o lowerdir=/mnt/lower,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work /mnt/root \
  || fail "mount the overlay"
R=/mnt/root
kver=$(uname -r)
mkdir -p "$R$LAB_RUN" "$R/lib/modules/$kver" || fail "make the mount points"
mount --move /mnt/lab "$R$LAB_RUN" || fail "move the lab share to $LAB_RUN"
mount --bind "$R$LAB_MODULES" "$R/lib/modules/$kver" || fail "bind the modules from $LAB_MODULES"

# The guest is not this machine: its own name, no mounts from this machine's fstab, and nothing that
# rebuilds caches because /etc and /var look "updated" (ConditionNeedsUpdate: no .updated stamps here).
echo netbootpi-lab > "$R/etc/hostname"
: > "$R/etc/fstab"
touch "$R/etc/.updated" "$R/var/.updated"
cp "$R$LAB_RUN/config" "$R/etc/netbootpi-lab.conf"

if [ "$LAB_MODE" = systemd ]; then
  U=$R/etc/systemd/system
  mkdir -p "$U" "$R/etc/tmpfiles.d"
  cp "$R$LAB_GUEST"/systemd/* "$U/" || fail "copy the lab's units from $LAB_GUEST/systemd"
  ln -sf netbootpi-lab.target "$U/default.target"
  # systemd-tmpfiles --boot --remove empties /tmp (tmp.conf: "D /tmp"): in the lab /tmp is this machine's
  # /tmp seen through the overlay, and the run's share is mounted below it.
  : > "$R/etc/tmpfiles.d/tmp.conf"
  : > "$R/etc/tmpfiles.d/x11.conf"
  # Units this machine enables that a lab does not need and that only slow its boot down.
  for u in $(grep -v '^#' "$R$LAB_GUEST/systemd-masked"); do ln -sf /dev/null "$U/$u"; done
  umount /proc /sys
  mount --move /dev "$R/dev"
  exec switch_root "$R" /lib/systemd/systemd
else
  umount /proc /sys
  mount --move /dev "$R/dev"
  exec switch_root "$R" /bin/bash "$LAB_GUEST/fast-init.sh"
fi
fail "switch_root"
