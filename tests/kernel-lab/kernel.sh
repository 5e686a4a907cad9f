#!/usr/bin/env bash
# The kernel lab's kernel and initramfs, cached under $KERNEL_LAB_CACHE (default /var/cache/netbootpi/kernel-lab):
#   PKG/boot/vmlinuz-KVER, PKG/lib/modules/KVER   Debian's generic kernel (the package linux-image-amd64 depends
#                                                  on), apt-get download + dpkg -x, modules.dep by depmod -b;
#                                                  never installed on this machine, /boot untouched
#   PKG/initrd-STAMP.img                           busybox-static, the modules that mount the shared root, and
#                                                  initramfs-init.sh as /init; rebuilt when any of them changes
# Prints shell assignments: LAB_CACHE, LAB_KVER, LAB_KERNEL, LAB_INITRD, LAB_MODULES (the modules' folder).
# Idempotent, and safe when several runs start at once (a lock in the cache).
set -euo pipefail
CACHE=${KERNEL_LAB_CACHE:-/var/cache/netbootpi/kernel-lab}
HERE=$(cd "$(dirname "$0")" && pwd)
META=linux-image-amd64
die() { echo "kernel-lab: $*" >&2; exit 1; }

for tool in apt-get dpkg depmod modprobe cpio gzip; do
  command -v "$tool" >/dev/null || die "$tool is missing (tools/deps.sh installs kmod, cpio and the rest)"
done
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 \
  || die "/bin/busybox is missing or not static: install busybox-static (tools/deps.sh)"

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9

resolve() { apt-cache depends "$META" 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}'; }
pkg=$(resolve)
# A machine whose packages were all preinstalled may have no package lists yet.
[ -n "$pkg" ] || { apt-get update -q >&2; pkg=$(resolve); }
[ -n "$pkg" ] || die "cannot resolve $META from the package lists (apt-cache depends $META)"
dir=$CACHE/$pkg

if [ ! -f "$dir/.complete" ]; then
  echo "kernel-lab: unpacking $pkg into $dir" >&2
  work=$dir.work
  rm -rf "$work"; mkdir -p "$work/deb"
  (cd "$work/deb" && apt-get -o APT::Sandbox::User=root download -q "$pkg" >&2) \
    || die "apt-get download $pkg failed (network? package lists out of date: apt-get update)"
  dpkg -x "$work"/deb/*.deb "$work/root"
  kver=$(basename "$work"/root/boot/vmlinuz-* | sed 's/^vmlinuz-//')
  # The package ships no modules.dep: the guest's modprobe (this machine's kmod) needs one.
  depmod -b "$work/root" "$kver"
  rm -rf "$dir"; mv "$work/root" "$dir"; rm -rf "$work"
  touch "$dir/.complete"
fi
kver=$(basename "$dir"/boot/vmlinuz-* | sed 's/^vmlinuz-//')
moddir=$dir/lib/modules/$kver

# What /init needs before the shared root is there: virtio PCI, 9p over virtio, overlayfs. The order comes from
# modules.dep (modprobe --show-depends), so a kernel that splits a module differently still loads.
ROOT_MODULES=(virtio_pci 9pnet_virtio 9p overlay)
stamp=$(cat "$HERE/initramfs-init.sh" /bin/busybox <(printf '%s\n' "$kver" "${ROOT_MODULES[@]}") | sha256sum | cut -c1-16)
initrd=$dir/initrd-$stamp.img
if [ ! -f "$initrd" ]; then
  root=$(mktemp -d)
  trap 'rm -rf "$root" "$initrd.tmp"' EXIT
  mkdir -p "$root"/{bin,dev,proc,sys,mnt,modules}
  cp /bin/busybox "$root/bin/busybox"
  : > "$root/modules/order"
  for m in "${ROOT_MODULES[@]}"; do
    modprobe -d "$dir" -S "$kver" --show-depends "$m" | while read -r what path _; do
      [ "$what" = insmod ] || continue      # "builtin NAME": nothing to load
      name=$(basename "$path")
      grep -qx "$name" "$root/modules/order" && continue
      cp "$path" "$root/modules/$name"
      echo "$name" >> "$root/modules/order"
    done
  done
  install -m 0755 "$HERE/initramfs-init.sh" "$root/init"
  (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -6 -n > "$initrd.tmp"
  mv -f "$initrd.tmp" "$initrd"
  # Older builds of the initramfs are of no further use.
  find "$dir" -maxdepth 1 -name 'initrd-*.img' ! -name "initrd-$stamp.img" -delete
fi

printf 'LAB_CACHE=%q\nLAB_KVER=%q\nLAB_KERNEL=%q\nLAB_INITRD=%q\nLAB_MODULES=%q\n' "$CACHE" "$kver" "$dir/boot/vmlinuz-$kver" "$initrd" "$moddir"
