#!/usr/bin/env bash
# mmdebstrap's essential hook: before the kernel and the rest are installed. The initramfs is made once, when the
# root is complete (customize.sh): made by each package that asks for it, under emulation, it took ten minutes a time.
# MODULES=most (Debian's default, said here): one initrd has what the Pi's SD card and qemu's virtio disk need.
set -euo pipefail
ROOT=$1
mkdir -p "$ROOT/etc/initramfs-tools/conf.d"
printf 'MODULES=most\nCOMPRESS=zstd\n' > "$ROOT/etc/initramfs-tools/conf.d/netbootpi.conf"
chroot "$ROOT" dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs
printf '#!/bin/sh\necho "update-initramfs: deferred until the root is complete (image/essential.sh)"\n' > "$ROOT/usr/sbin/update-initramfs"
chmod 0755 "$ROOT/usr/sbin/update-initramfs"
