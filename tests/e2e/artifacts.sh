#!/usr/bin/env bash
# Builds what the end-to-end boots serve (idempotent; cached in $E2E_CACHE, default /var/cache/netbootpi/e2e):
#   kernel/vmlinuz      Debian's cloud kernel (LZ4: fast under emulation; virtio only), via apt-get download + dpkg -x
#   kernel/initrd.img   a busybox-static initramfs whose /init plays the booted host (see init.sh); the virtio NIC's
#                       modules, and the ACPI power button's with evdev (e2e_mode=serve powers off when it is pressed)
#   loaders/            undionly.kpxe and snponly.efi from Debian's ipxe package
# Prints the cache directory.
set -euo pipefail
CACHE=${E2E_CACHE:-/var/cache/netbootpi/e2e}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$CACHE"/{pkgs,kernel,loaders}
# Harnesses running at once (bench/boot.sh) read the cache while another runs this script: a file is replaced
# only when it differs, and then whole (rename), so no reader ever copies a half-written one.
put() { cmp -s "$1" "$2" || { cp "$1" "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"; }; }

meta=linux-image-cloud-amd64
resolve() { apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}'; }
pkg=$(resolve)
# A machine whose packages were all preinstalled may have no package lists yet.
[ -n "$pkg" ] || { apt-get update -q >&2; pkg=$(resolve); }
[ -n "$pkg" ] || { echo "artifacts: cannot resolve $meta from the package lists" >&2; exit 1; }
unpacked=$CACHE/pkgs/$pkg
if [ ! -d "$unpacked/boot" ]; then
  ls "$CACHE"/pkgs/"${pkg}"_*.deb >/dev/null 2>&1 || (cd "$CACHE/pkgs" && apt-get -o APT::Sandbox::User=root download -q "$pkg" >&2)
  rm -rf "$unpacked.tmp"; dpkg -x "$CACHE"/pkgs/"${pkg}"_*.deb "$unpacked.tmp"; mv "$unpacked.tmp" "$unpacked"
fi
kver=$(basename "$unpacked"/boot/vmlinuz-* | sed 's/^vmlinuz-//')
put "$unpacked/boot/vmlinuz-$kver" "$CACHE/kernel/vmlinuz"

# The initramfs is rebuilt whenever init.sh or this script changes (their hashes name the build).
stamp=$(sha256sum "$HERE/init.sh" "$HERE/artifacts.sh" /bin/busybox | sha256sum | cut -c1-16)
if [ ! -f "$CACHE/kernel/initrd.img" ] || [ "$(cat "$CACHE/kernel/initrd.stamp" 2>/dev/null)" != "$stamp" ]; then
  root=$(mktemp -d)
  trap 'rm -rf "$root" "$root.img"' EXIT
  mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,lib/modules}
  cp /bin/busybox "$root/bin/busybox"
  ! ldd "$root/bin/busybox" >/dev/null 2>&1 \
    || { echo "artifacts: /bin/busybox is not static (install busybox-static, not busybox)" >&2; exit 1; }
  # Debian ships the virtio NIC (and the ACPI button, evdev) as modules and no modules.dep in the .deb: /init loads
  # them in this order.
  mods=$unpacked/lib/modules/$kver/kernel
  for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev \
           drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci net/core/failover \
           drivers/net/net_failover drivers/net/virtio_net drivers/input/evdev drivers/acpi/button; do
    for ext in ko ko.xz ko.zst; do
      if [ -f "$mods/$m.$ext" ]; then
        case $ext in ko) cp "$mods/$m.ko" "$root/lib/modules/";; ko.xz) xz -dc "$mods/$m.ko.xz" > "$root/lib/modules/$(basename "$m").ko";;
                     ko.zst) zstd -qdc "$mods/$m.ko.zst" > "$root/lib/modules/$(basename "$m").ko";; esac
      fi
    done
  done
  install -m 0755 "$HERE/init.sh" "$root/init"
  (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9 -n > "$root.img"
  mv -f "$root.img" "$CACHE/kernel/initrd.img"
  echo "$stamp" > "$CACHE/kernel/initrd.stamp"
fi

for f in undionly.kpxe snponly.efi; do put "/usr/lib/ipxe/$f" "$CACHE/loaders/$f"; done
echo "$CACHE"
