#!/usr/bin/env bash
# Unpacks a minimal Debian arm64 sysroot (glibc, libstdc++, libgcc, OpenSSL, zlib) for qemu-aarch64-static -L.
# With --dev, a second one that also has what linking needs (crt files, libc.so, libgcc, zlib: NativeAOT's
# cross-link with clang/lld, docs/footprint.md).
# Uses its own apt state so the host's dpkg architectures are never touched. Prints the sysroot path.
set -euo pipefail
PACKAGES=(libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64 libssl3:arm64 zlib1g:arm64)
DIR=${NETBOOTPI_ARM64_SYSROOT:-/var/cache/netbootpi/arm64-sysroot}
if [ "${1:-}" = --dev ]; then
  PACKAGES+=(libc6-dev:arm64 linux-libc-dev:arm64 libgcc-12-dev:arm64 libstdc++-12-dev:arm64 zlib1g-dev:arm64)
  DIR=${NETBOOTPI_ARM64_DEV_SYSROOT:-/var/cache/netbootpi/arm64-sysroot-dev}
fi
if [ -f "$DIR/.complete" ]; then echo "$DIR"; exit 0; fi
work=$DIR.work
rm -rf "$work"; mkdir -p "$work"/{lists/partial,cache/archives/partial,debs,root}
: > "$work/status"
APT=(-o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" -o Dir::State::status="$work/status"
     -o APT::Architecture=arm64 -o APT::Architectures::=arm64 -q)
apt-get "${APT[@]}" update >&2
(cd "$work/debs" && apt-get "${APT[@]}" -o APT::Sandbox::User=root download "${PACKAGES[@]}" >&2)
for d in "$work"/debs/*.deb; do dpkg -x "$d" "$work/root"; done
rm -rf "$DIR"; mv "$work/root" "$DIR"; rm -rf "$work"
touch "$DIR/.complete"
echo "$DIR"
