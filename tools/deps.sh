#!/usr/bin/env bash
# Installs the Debian packages that NetbootPi's tests and lab use, and any named as arguments (the
# benchmarks' peers). Idempotent; needs root for apt-get.
# Every package here is a real peer a test talks to (DHCP/TFTP clients, qemu and its firmware, dbus-daemon)
# or a tool a test drives; add new ones here, not in .ci/run, so the README's commands stay the whole set-up.
set -euo pipefail

PACKAGES=(
  # coverage-guided fuzzing (bench/fuzz.sh; a short run of every target in ./test.sh): afl-fuzz drives the
  # SharpFuzz-instrumented parsers
  afl++
  # DHCP peers (python3: the retransmitting client of RetransmittedRequestTests, a few lines over a UDP socket)
  busybox-static udhcpc isc-dhcp-client nmap kea-admin dnsmasq-base python3
  # diff and patch: plan's diffs are checked against them
  diffutils patch
  # the shells whose completion scripts netbootpi prints (bash runs its completion; zsh reads its script)
  bash zsh
  # packet captures (the DHCP unicast test watches what reaches the client)
  tcpdump
  # the installers' own checks of rendered install files (docs/installs.md): cloud-init's schema, Ignition's
  # validator; debconf-set-selections comes with debconf
  cloud-init ignition
  # TFTP peers
  tftp-hpa atftp curl
  # DNS clients (dig, host); dnsmasq-base above is the upstream resolver the forwarding tests start
  dnsutils bind9-host
  # D-Bus peers: the daemon, the user bus for the systemd --user tests, systemd itself (systemd --user and
  # systemd-networkd, started by the tests)
  dbus dbus-user-session systemd
  # network namespaces, veth, bridges
  iproute2
  # the firewall renderer's output checked and loaded by the real nft, in a namespace of the test's own
  nftables
  # the arm64 agent under user-mode emulation
  qemu-user-static
  # NativeAOT publishes (the agent as it ships): clang and lld link, llvm-objcopy strips; the arm64 link's
  # sysroot comes from tests/arm64/sysroot.sh
  clang lld llvm
  # whole network boots
  qemu-system-x86 ipxe-qemu ipxe ovmf cpio
  # the kernel lab (tests/kernel-lab): Debian's generic kernel in qemu runs this machine's own binaries, so
  # what the lab's tests drive there is installed here: modprobe and depmod (autoloading in the VM, modules.dep
  # for the lab kernel), udev (systemd mode's coldplug: drivers, /dev/disk/by-id, links networkd waits for),
  # WireGuard and nftables tools, the NFS server and client, ustreamer, ping, mkfs.ext4
  kmod udev wireguard-tools nftables nfs-kernel-server nfs-common ustreamer iputils-ping e2fsprogs
  # the console host's side of the USB gadget test: its keyboard and pointer read as input events
  python3-evdev
  # the keyboard layout tables checked against what a Linux host types with them: libxkbcommon, xkeyboard-config's
  # keymaps and X's compose table (also what tools/keyboard-layouts.py writes the tables from)
  libxkbcommon0 xkb-data libx11-data
  # Redfish clients the Redfish tests drive the agent with: DMTF's redfishtool and Ironic's sushy (Debian's python3)
  redfishtool python3-sushy
  # the console host's screen: v4l2-ctl (the agent gives an HDMI input its EDID and reads its DV timings with it;
  # the lab's capture test sets vivid's pattern with it) and Pillow (the test decodes the JPEGs the agent serves)
  v4l-utils python3-pil
  # WireGuard peers: wireguard-go (the userspace implementation, a peer in the lab beside the kernel's),
  # openresolv (wg-quick's resolvconf for a config with DNS =), zbarimg (reads back the QR code a peer's config
  # is printed as)
  wireguard-go openresolv zbar-tools
  # NFS roots from a template: the copy tests set and read extended attributes, ACLs and file capabilities
  attr acl libcap2-bin
  # a whole NFS-root boot in the lab (tests/kernel-lab/nfsroot-artifacts.sh): the Debian template (from the
  # mirror apt uses) and the initramfs that mounts nfsroot= (klibc's nfsmount comes with it)
  mmdebstrap initramfs-tools
  # host power through a BMC: ipmitool (the agent runs it) and ipmi_sim (openipmi), the simulated BMC it talks to
  ipmitool openipmi
  # the reference Argon2 implementation's CLI: the agent's password hashes are checked against its PHC strings;
  # openssl reads the control API's certificate back (SANs, key type, fingerprint)
  argon2 openssl
  # the web console's browser tests (tests/NetbootPi.Browser.Tests): Playwright drives Debian's chromium, never a
  # browser of its own download
  chromium
  # backups are age files: age and age-keygen open what the agent writes, and write what it must open
  age
  # backups to an SSH server and a git repository: the agent runs OpenSSH's sftp, ssh and ssh-keygen and git; the
  # tests serve them with sshd and OpenSSH's sftp-server in a namespace
  openssh-client openssh-server openssh-sftp-server git
)

# Benchmarks name what they need beyond the tests (nginx, wrk) as arguments.
PACKAGES+=("$@")

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "deps: missing Debian packages: ${missing[*]}; run as root (sudo) to install them" >&2
  exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# A half-failed fetch leaves missing .debs; one retry settles it (seen on this workplace's mirror).
apt-get install -y -q --no-install-recommends "${missing[@]}" \
  || apt-get install -y -q --no-install-recommends "${missing[@]}"
