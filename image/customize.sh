#!/usr/bin/env bash
# mmdebstrap's customize hook: makes the Debian root the box's, from this side (no emulation but for one groupadd).
# Usage: image/customize.sh ROOT VERSION
# The layout it prepares (image/README.md): / read-only; /boot/firmware the FAT partition (the user's netbootpi/
# folder); /data the data partition, whose skeleton is made here under ROOT/data and becomes that partition's
# contents (genimage's mountpoint); every place the box writes is a bind mount from /data or a tmpfs.
set -euo pipefail
ROOT=$1 VERSION=$2
HERE=$(cd "$(dirname "$0")" && pwd)
say() { printf 'image/customize.sh: %s\n' "$*" >&2; }

KVER=$(cd "$ROOT/boot" && ls vmlinuz-* | sed 's/^vmlinuz-//' | sort -V | tail -1)
[ -n "$KVER" ] || { say "no kernel in $ROOT/boot"; exit 1; }

# The initramfs, once (image/essential.sh deferred it); raspi-firmware's hook copies it, the kernel and the device
# trees to /boot/firmware.
rm -f "$ROOT/usr/sbin/update-initramfs"
chroot "$ROOT" dpkg-divert --quiet --local --rename --remove /usr/sbin/update-initramfs
chroot "$ROOT" update-initramfs -c -k "$KVER" >&2

# Files of the image (units, drop-ins, the first-boot script), then the agent's unit.
cp -a "$HERE/rootfs/." "$ROOT/"
install -m 0644 "$HERE/netbootpi.service" "$ROOT/usr/lib/systemd/system/netbootpi.service"
chmod 0755 "$ROOT/usr/bin/netbootpi" "$ROOT/usr/lib/netbootpi/card"
echo "$VERSION" > "$ROOT/usr/lib/netbootpi/image-version"

# The box's name until the site says otherwise; the resolver systemd-resolved keeps (no stub: port 53 is the agent's).
echo netbootpi > "$ROOT/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tnetbootpi\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > "$ROOT/etc/hosts"
rm -f "$ROOT/etc/resolv.conf"
ln -s ../run/systemd/resolve/resolv.conf "$ROOT/etc/resolv.conf"

# Identity made on each card's first boot, never here: machine-id (kept on the kernel command line by the first
# boot: systemd.machine_id=), SSH host keys (on /data).
: > "$ROOT/etc/machine-id"
rm -f "$ROOT"/etc/ssh/ssh_host_* "$ROOT/var/lib/dbus/machine-id"
ln -sf /etc/machine-id "$ROOT/var/lib/dbus/machine-id"

# The group whose members the control socket takes as operators.
grep -q '^netbootpi:' "$ROOT/etc/group" || chroot "$ROOT" groupadd --system netbootpi

# The data partition's skeleton and the mount points on the read-only root.
D=$ROOT/data
mkdir -p "$D"/{state,srv,etc/netbootpi,etc/systemd-network,etc/exports.d,etc/nfs.conf.d,ssh,chrony,nfs}
cp -a "$ROOT/etc/netctl" "$D/etc/netctl" 2>/dev/null || mkdir -p "$D/etc/netctl"
cp -a "$ROOT/var/lib/nfs/." "$D/nfs/"
chmod 0700 "$D/state" "$D/ssh"
mkdir -p "$ROOT"/{var/lib/netbootpi,srv/netbootpi,etc/netbootpi,etc/exports.d,etc/nfs.conf.d,var/lib/chrony,var/lib/private}
chmod 0700 "$ROOT/var/lib/private"
chown -R _chrony:_chrony "$D/chrony" 2>/dev/null || chroot "$ROOT" chown -R _chrony:_chrony /data/chrony

# The Pi's boot files from the installed kernel (raspi-firmware's hook writes its own, with cma=64M in a chroot and
# rw; these replace them): Debian's upstream device tree, the mini UART as the serial console.
FW=$ROOT/boot/firmware
for f in "vmlinuz-$KVER" "initrd.img-$KVER"; do [ -e "$FW/$f" ] || cp "$ROOT/boot/$f" "$FW/$f"; done
[ -e "$FW/bcm2711-rpi-4-b.dtb" ] || cp "$ROOT/usr/lib/linux-image-$KVER/broadcom/"bcm2711-rpi-4-b.dtb "$FW/"
cat > "$FW/config.txt" <<EOF
# NetbootPi $VERSION: Debian's kernel with the upstream device tree (image/README.md)
arm_64bit=1
enable_uart=1
upstream_kernel=1
kernel=vmlinuz-$KVER
initramfs initrd.img-$KVER followkernel
EOF
echo "console=ttyS1,115200 console=tty0 root=PARTUUID=4e425054-02 ro rootwait fsck.repair=yes net.ifnames=0" > "$FW/cmdline.txt"
mkdir -p "$FW/netbootpi"
cp "$HERE/firstboot-README.txt" "$FW/netbootpi/README.txt"
# What stays in /boot is the firmware's copy; the root keeps no second kernel.
rm -f "$ROOT/boot/vmlinuz-$KVER" "$ROOT/boot/initrd.img-$KVER" "$ROOT/boot/System.map-$KVER"

# Units: the agent, the first boot, the network and its resolver, SSH, time.
systemctl --root="$ROOT" enable netbootpi.service netbootpi-card.service systemd-networkd.service \
  systemd-resolved.service ssh.service chrony.service fake-hwclock.service >/dev/null 2>&1
# Debian's daily apt and man-db timers write to a root that is read-only; nothing installs packages on the box.
systemctl --root="$ROOT" mask apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer e2scrub_reap.service >/dev/null 2>&1 || true
say "root customised for kernel $KVER"
