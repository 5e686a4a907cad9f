#!/usr/bin/env bash
# Builds the SD card image: out/netbootpi-VERSION-arm64.img.xz, its .sha256 and .bmap (image/README.md).
#
# Debian 12 arm64 from Debian's archive (the kernel linux-image-arm64, which has the Raspberry Pi 4's device tree,
# and raspi-firmware from non-free-firmware), the agent published for linux-arm64, no loop devices and no mounts:
# mmdebstrap makes the root in its own namespaces (arm64 maintainer scripts under qemu-user through binfmt_misc),
# image/customize.sh edits it from this side, genimage writes the partitions and the MBR.
#
# Usage (root, Debian 12 x86-64): image/build.sh [--agent FILE] [--out DIR] [--no-xz]
#   --agent FILE  the linux-arm64 netbootpi to put in (default: publish it, as the README says)
#   --out DIR     where the image goes (default: out/)
#   --no-xz       leave the raw image uncompressed (tests boot it; a release is compressed)
# Environment: NETBOOTPI_IMAGE_CACHE (default /var/cache/netbootpi/image): the .deb cache reused between builds.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
AGENT= OUT=$REPO/out XZ=1
while [ $# -gt 0 ]; do
  case $1 in
    --agent) AGENT=$(realpath "$2"); shift 2 ;;
    --out) OUT=$(realpath -m "$2"); shift 2 ;;
    --no-xz) XZ=0; shift ;;
    -h|--help) sed -n 2,15p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "image/build.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
say() { printf 'image/build.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
t0=$SECONDS

# What the build needs, each failure said with what to do.
[ "$(id -u)" = 0 ] || die "run as root: mmdebstrap's unshare mode and binfmt_misc need it (sudo image/build.sh)"
[ "$(uname -m)" = x86_64 ] || [ "$(uname -m)" = aarch64 ] || die "this machine is $(uname -m); the build is made on x86-64 (or arm64) Debian 12"
TOOLS=(mmdebstrap arch-test qemu-user-static genimage dosfstools mtools e2fsprogs fdisk xz-utils bmap-tools)
missing=()
for p in "${TOOLS[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed: install them by hand and run again"
fi
if [ "$(uname -m)" != aarch64 ]; then
  # arm64 programs (the packages' maintainer scripts) run through qemu-user, which the kernel finds by binfmt_misc.
  [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null \
    || die "binfmt_misc is not mounted and cannot be (mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc failed): in a container, start it with binfmt_misc available"
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || cat /usr/lib/binfmt.d/qemu-aarch64.conf > /proc/sys/fs/binfmt_misc/register 2>/dev/null \
    || die "qemu-aarch64 could not be registered with binfmt_misc (/usr/lib/binfmt.d/qemu-aarch64.conf from qemu-user-static)"
  grep -q enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 || die "binfmt_misc's qemu-aarch64 entry is disabled: echo 1 > /proc/sys/fs/binfmt_misc/qemu-aarch64"
  arch-test arm64 >/dev/null 2>&1 || die "arm64 programs do not run here (arch-test arm64 failed) although qemu-aarch64 is registered"
fi

VERSION=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$REPO/Directory.Build.props")
# Reproducible: every time stamp from the commit (or the newest input file outside git).
if SOURCE_DATE_EPOCH=$(git -C "$REPO" log -1 --format=%ct 2>/dev/null); then :; else SOURCE_DATE_EPOCH=$(date +%s); fi
export SOURCE_DATE_EPOCH TZ=UTC LC_ALL=C.UTF-8 E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH
CACHE=${NETBOOTPI_IMAGE_CACHE:-/var/cache/netbootpi/image}
WORK=$OUT/.build
mkdir -p "$OUT" "$CACHE/apt"
# Room: the root (about 0.8 GiB), genimage's copy of it, the partitions and the image (2.6 GiB, sparse).
need=$((5 * 1024 * 1024))
free=$(df -Pk "$OUT" | awk 'NR==2{print $4}')
[ "$free" -ge "$need" ] || die "$OUT has $((free / 1024)) MiB free; the build needs about $((need / 1024)) MiB"

if [ -z "$AGENT" ]; then
  command -v dotnet >/dev/null || die "no agent given (--agent FILE) and no dotnet to publish one (the README's set-up installs it)"
  say "publishing the agent for linux-arm64"
  dotnet publish "$REPO/src/Agent" -c Release -r linux-arm64 -o "$WORK/agent" -nologo -v:q >/dev/null \
    || die "dotnet publish src/Agent -c Release -r linux-arm64 failed (run it by hand to see why)"
  AGENT=$WORK/agent/netbootpi
fi
[ -x "$AGENT" ] || die "the agent $AGENT is not an executable file"
file -b "$AGENT" 2>/dev/null | grep -q 'ARM aarch64' || die "the agent $AGENT is not a linux-arm64 executable ($(file -b "$AGENT" | cut -c1-60))"

rm -rf "$WORK/rootfs" "$WORK/genimage" "$WORK/images"
mkdir -p "$WORK/images"

# What the box runs (image/README.md says why each is there).
PACKAGES=(
  systemd-sysv udev kmod dbus initramfs-tools zstd linux-image-arm64 raspi-firmware
  iproute2 netbase ca-certificates libssl3 zlib1g
  openssh-server openssh-client nfs-kernel-server wireguard-tools systemd-resolved nftables netctl
  ustreamer v4l-utils i2c-tools ipmitool git chrony fake-hwclock fdisk dosfstools e2fsprogs
)
MIRROR=${NETBOOTPI_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${NETBOOTPI_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
say "making the arm64 root with mmdebstrap (the .deb cache: $CACHE/apt)"
t1=$SECONDS
mmdebstrap --mode=unshare --architectures=arm64 --variant=minbase \
  --components=main,non-free-firmware --include="$(IFS=,; echo "${PACKAGES[*]}")" \
  --aptopt='Acquire::Retries "3"' --aptopt='APT::Install-Recommends "false"' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-include=/usr/share/locale/locale.alias' --dpkgopt='path-exclude=/usr/share/info/*' \
  --skip=essential/unlink \
  --setup-hook='mkdir -p "$1/boot/firmware" "$1/var/cache/apt/archives"' \
  --setup-hook="sync-in '$CACHE/apt' /var/cache/apt/archives/" \
  --essential-hook="'$HERE/essential.sh' \"\$1\"" \
  --customize-hook="sync-out /var/cache/apt/archives '$CACHE/apt'" \
  --customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb' \
  --customize-hook="copy-in '$AGENT' /usr/bin/" \
  --customize-hook="'$HERE/customize.sh' \"\$1\" '$VERSION'" \
  bookworm "$WORK/rootfs" \
  "deb $MIRROR bookworm main non-free-firmware" \
  "deb $MIRROR bookworm-updates main non-free-firmware" \
  "deb $SECURITY bookworm-security main non-free-firmware" \
  || die "mmdebstrap failed (its output is above)"
# mmdebstrap's clean-up removes D-Bus's link to the machine-id, which the read-only root cannot have made at boot.
ln -sfn /etc/machine-id "$WORK/rootfs/var/lib/dbus/machine-id"
say "root made in $((SECONDS - t1)) s: $(du -sm "$WORK/rootfs" | cut -f1) MiB"

# The partitions and the MBR (image/README.md has the layout), no loop devices and no mounts.
t1=$SECONDS
NAME=netbootpi-$VERSION-arm64
sed -e "s/@NAME@/$NAME/" -e "s/@TIMESTAMP@/$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d%H%M%S)/" "$HERE/genimage.cfg.in" > "$WORK/genimage.cfg"
mkdir -p "$WORK/genimage"
genimage --rootpath "$WORK/rootfs" --tmppath "$WORK/genimage" --inputpath "$WORK/images" --outputpath "$WORK/images" \
  --config "$WORK/genimage.cfg" > "$WORK/genimage.log" 2>&1 || { cat "$WORK/genimage.log" >&2; die "genimage failed (its log is above)"; }
rm -rf "$WORK/genimage"
mv "$WORK/images/$NAME.img" "$OUT/$NAME.img"
say "partitions written in $((SECONDS - t1)) s"

bmaptool -q create -o "$OUT/$NAME.img.bmap" "$OUT/$NAME.img"
if [ "$XZ" = 1 ]; then
  t1=$SECONDS
  xz -T0 -6 -f "$OUT/$NAME.img"
  (cd "$OUT" && sha256sum "$NAME.img.xz" > "$NAME.img.xz.sha256")
  say "compressed in $((SECONDS - t1)) s: $(stat -c %s "$OUT/$NAME.img.xz") bytes"
  ls -l "$OUT/$NAME.img.xz"* >&2
else
  (cd "$OUT" && sha256sum "$NAME.img" > "$NAME.img.sha256")
fi
dpkg-query --admindir="$WORK/rootfs/var/lib/dpkg" -W > "$OUT/$NAME.packages"
say "done in $((SECONDS - t0)) s: $OUT/$NAME.img$([ "$XZ" = 1 ] && echo .xz)"
