#!/usr/bin/env bash
# ./test.sh's SD image tier: builds the image from the arm64 agent the arm64 tier published (once per set of inputs:
# kept in /var/cache/netbootpi/image/built/HASH, HASH over image/ and the agent), checks what a Pi needs on it that
# qemu cannot show (the FAT partition's firmware, device tree, config.txt and cmdline.txt, the MBR, the units), then
# boots it (tests/image/boot-test.sh). PASS/FAIL lines on stdout; exits non-zero on any failure.
# Usage: tests/image/run.sh [AGENT]   (root; AGENT default artifacts/linux-arm64/netbootpi)
set -uo pipefail
cd "$(dirname "$0")/../.."
AGENT=${1:-artifacts/linux-arm64/netbootpi}
fails=0
pass() { echo "PASS image: $*"; }
fail() { echo "FAIL image: $*"; fails=$((fails + 1)); }
[ -x "$AGENT" ] || { fail "no linux-arm64 agent at $AGENT (tests/arm64/publish-and-run.sh publishes it)"; exit 1; }

hash=$( { sha256sum "$AGENT"; find image tests/image -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16)
OUT=/var/cache/netbootpi/image/built/$hash
IMG=$(ls "$OUT"/netbootpi-*-arm64.img 2>/dev/null | head -1)
if [ -z "$IMG" ]; then
  rm -rf /var/cache/netbootpi/image/built   # one image kept: the last inputs'
  mkdir -p "$OUT"
  t0=$SECONDS
  if image/build.sh --agent "$AGENT" --out "$OUT" --no-xz > "$OUT.log" 2>&1; then
    IMG=$(ls "$OUT"/netbootpi-*-arm64.img | head -1)
    echo "TIME image-build $((SECONDS - t0))"
    pass "image/build.sh made $(basename "$IMG") in $((SECONDS - t0)) s"
  else
    tail -40 "$OUT.log" >&2; fail "image/build.sh failed (its last lines are above)"; rm -rf "$OUT"; exit 1
  fi
  rm -rf "$OUT/.build"
else
  pass "the image of these inputs was built before: $IMG"
fi

# What a Pi 4 reads first, checked on the image: qemu's virt machine never runs the Pi's firmware.
FAT="$IMG@@8M"
table=$(sfdisk -d "$IMG" 2>/dev/null)
grep -q 'label-id: 0x4e425054' <<<"$table" && grep -q 'type=c, bootable' <<<"$table" && [ "$(grep -c '^/' <<<"$table")" = 4 ] \
  && pass "MBR: signature 0x4e425054, four partitions, the first FAT32 (LBA) and bootable" || fail "MBR: $table"
listing=$(mdir -b -i "$FAT" :: 2>/dev/null)
for f in start4.elf fixup4.dat bcm2711-rpi-4-b.dtb config.txt cmdline.txt netbootpi; do
  grep -q "/$f\$" <<<"$listing" || fail "the FAT partition has no $f"
done
config=$(mtype -i "$FAT" ::config.txt | tr -d '\r')
kernel=$(sed -n 's/^kernel=//p' <<<"$config"); initrd=$(sed -n 's/^initramfs \([^ ]*\).*/\1/p' <<<"$config")
if grep -qx arm_64bit=1 <<<"$config" && grep -qx upstream_kernel=1 <<<"$config" && grep -q "/$kernel\$" <<<"$listing" \
   && [ -n "$initrd" ] && grep -q "/$initrd\$" <<<"$listing"; then
  pass "config.txt: 64-bit, upstream device tree, kernel $kernel and initramfs $initrd on the partition"
else fail "config.txt: $config"; fi
cmdline=$(mtype -i "$FAT" ::cmdline.txt | tr -d '\r')
if grep -q 'root=PARTUUID=4e425054-02' <<<"$cmdline" && grep -qw ro <<<"$cmdline" && ! grep -q 'cma=' <<<"$cmdline" \
   && [ "$(wc -l <<<"$cmdline")" = 1 ]; then
  pass "cmdline.txt: one line, root=PARTUUID=4e425054-02 ro, no cma="
else fail "cmdline.txt: $cmdline"; fi
mtype -i "$FAT" ::netbootpi/README.txt | grep -q 'site.yaml' && pass "the card's netbootpi/README.txt" || fail "no netbootpi/README.txt on the card"
size=$(du -k "$IMG" | cut -f1)
echo "SIZE image-used-kib $size"

tests/image/boot-test.sh "$IMG" || fails=$((fails + 1))
[ $fails -eq 0 ]
