#!/usr/bin/env bash
# What a diskless machine of the NFS-boot lab test needs, built once and cached beside the lab kernel
# ($KERNEL_LAB_CACHE/nfsroot, default /var/cache/netbootpi/kernel-lab/nfsroot):
#   debian-bookworm-minbase.tar   a Debian 12 system made by mmdebstrap (--variant=minbase), the template that
#                                 `netbootpi nfsroot create` copies into each machine's root
#   initrd-nfs-KVER.img           the lab kernel's initramfs made by initramfs-tools' mkinitramfs with BOOT=nfs and
#                                 MODULES=netboot: it brings the network up from ip=dhcp and mounts nfsroot=
# mkinitramfs takes modules from /lib/modules/KVER, which this machine does not have (the lab kernel is never
# installed): it runs in a mount namespace of its own where the lab's modules are mounted there (over an overlay
# of /usr/lib, /lib being /usr/lib on Debian 12).
# Prints shell assignments: NFSROOT_TEMPLATE, NFSROOT_INITRD, LAB_KERNEL, LAB_KVER.
# Usage: tests/kernel-lab/nfsroot-artifacts.sh   (root; needs mmdebstrap, initramfs-tools and the Debian mirror
#        apt uses; exit 125 naming the package when a tool is missing)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
die() { echo "nfsroot-artifacts: $*" >&2; exit "${2:-1}"; }
for t in mmdebstrap:mmdebstrap mkinitramfs:initramfs-tools unshare:util-linux; do
  command -v "${t%%:*}" >/dev/null || die "${t%%:*} is missing (Debian package ${t#*:})" 125
done
eval "$("$HERE/kernel.sh")"
OUT=$LAB_CACHE/nfsroot
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock 9

template=$OUT/debian-bookworm-minbase.tar
if [ ! -s "$template" ]; then
  echo "nfsroot-artifacts: mmdebstrap --variant=minbase bookworm (once)" >&2
  rm -f "$template.tmp"
  mmdebstrap --quiet --variant=minbase --format=tar bookworm "$template.tmp" >&2 || die "mmdebstrap failed"
  mv -f "$template.tmp" "$template"
fi

# The stamp covers what goes into the initramfs besides the kernel: this script and initramfs-tools' version.
stamp=$( { cat "$0"; dpkg-query -W -f='${Version}' initramfs-tools; } | sha256sum | cut -c1-12)
initrd=$OUT/initrd-nfs-$LAB_KVER-$stamp.img
if [ ! -s "$initrd" ]; then
  echo "nfsroot-artifacts: mkinitramfs BOOT=nfs for $LAB_KVER (once)" >&2
  conf=$(mktemp -d)
  trap 'rm -rf "$conf" "$conf.upper" "$conf.work"' EXIT
  cp -a /etc/initramfs-tools/. "$conf/"
  sed -i -e 's/^BOOT=.*/BOOT=nfs/' -e 's/^MODULES=.*/MODULES=netboot/' "$conf/initramfs.conf"
  grep -q '^BOOT=nfs$' "$conf/initramfs.conf" || echo 'BOOT=nfs' >> "$conf/initramfs.conf"
  rm -f "$initrd.tmp"
  # /usr/lib under an overlay whose upper layer (in the temporary folder) gets modules/KVER: nothing is written
  # to this machine's /usr, and the namespace ends with the command.
  mkdir -p "$conf.upper" "$conf.work"
  unshare --mount --propagation private sh -euc '
    mount -t overlay overlay -o "lowerdir=/usr/lib,upperdir=$3.upper,workdir=$3.work" /usr/lib
    mkdir -p "/usr/lib/modules/$2"
    mount --bind "$1" "/usr/lib/modules/$2"
    mount --bind "$5" /boot   # the kernel config: which compressions the kernel unpacks
    mkinitramfs -d "$3" -o "$4" "$2"
  ' sh "$LAB_MODULES" "$LAB_KVER" "$conf" "$initrd.tmp" "$(dirname "$LAB_KERNEL")" >&2 || die "mkinitramfs failed"
  mv -f "$initrd.tmp" "$initrd"
  find "$OUT" -maxdepth 1 -name 'initrd-nfs-*.img' ! -name "$(basename "$initrd")" -delete
fi

printf 'NFSROOT_TEMPLATE=%q\nNFSROOT_INITRD=%q\nLAB_KERNEL=%q\nLAB_KVER=%q\n' "$template" "$initrd" "$LAB_KERNEL" "$LAB_KVER"
