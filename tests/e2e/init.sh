#!/bin/busybox sh
# /init of the end-to-end initramfs: plays a booted fleet host. It brings the NIC up, runs DHCP, fetches its
# own overlay from the box (GET /apkovl/MAC.tar.gz), unpacks it, prints the value only that host's overlay
# holds, uploads a changed overlay (PUT, from its own address), and powers off (unless e2e_mode says otherwise,
# below). Markers on the serial console:
#   E2E-DHCP <mac> <ip> <server>      E2E-OVERLAY <mac> <value>|none      E2E-PUT <mac> <http status>
#   E2E-DONE <mac>                    E2E-FAIL <mac> <what>               E2E-SERVE|E2E-HANG <mac>
#   E2E-POWER-BUTTON (e2e_mode=serve: the ACPI power button was pressed; it powers off)
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev 2>/dev/null
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net evdev button; do
  [ -f /lib/modules/$m.ko ] && insmod /lib/modules/$m.ko 2>/dev/null
done
# e2e_mode=serve plays a host whose OS is up, and like one it powers off when its ACPI power button is pressed (QMP's
# system_powerdown: the web console's Off, tests/NetbootPi.Browser.Tests/BootVmTests.cs). Watched from here on, before
# DHCP, so that a test that has seen this boot's DHCP exchange knows a press is heard. An event device's read takes
# whole events: 24 bytes each on x86-64.
case " $(cat /proc/cmdline) " in *" e2e_mode=serve "*)
  for e in /sys/class/input/event*; do
    [ "$(cat "$e/device/name" 2>/dev/null)" = "Power Button" ] || continue
    (dd if="/dev/input/${e##*/}" of=/dev/null bs=24 count=1 2>/dev/null && echo "E2E-POWER-BUTTON" && poweroff -f) &
  done ;;
esac
ip link set lo up
IF=""
for i in $(seq 100); do
  for d in /sys/class/net/*; do n=${d##*/}; [ "$n" = lo ] || { IF=$n; break; }; done
  [ -n "$IF" ] && break; sleep 0.1
done
MAC=$(cat /sys/class/net/$IF/address)
fail() { echo "E2E-FAIL $MAC $*"; poweroff -f; }
cat > /tmp/dhcp.sh <<'S'
#!/bin/sh
case "$1" in bound|renew)
  ip addr flush dev $interface; ip addr add $ip/${mask:-24} dev $interface
  echo "$ip $serverid" > /tmp/lease ;;
esac
S
chmod +x /tmp/dhcp.sh
ip link set $IF up
for i in $(seq 50); do [ "$(cat /sys/class/net/$IF/carrier 2>/dev/null)" = 1 ] && break; sleep 0.1; done
udhcpc -i $IF -f -q -n -t 10 -T 1 -s /tmp/dhcp.sh >/dev/null 2>&1 || fail dhcp
read IP SERVER < /tmp/lease
echo "E2E-DHCP $MAC $IP $SERVER"
# Recovery tests (tests/NetbootPi.Agent.Tests/Power/RecoveryBootTests.cs): e2e_mode=serve answers on TCP 22 (the
# box's probe) and stays up; e2e_mode=hang stays up without answering, as a host hung before its services would.
case " $(cat /proc/cmdline) " in
  *" e2e_mode=serve "*) mkdir -p /www; httpd -p 22 -h /www; echo "E2E-SERVE $MAC"; while :; do sleep 3600; done ;;
  *" e2e_mode=hang "*) echo "E2E-HANG $MAC"; while :; do sleep 3600; done ;;
esac
# The box's HTTP port comes from the kernel command line the box's script wrote (box=ADDR:PORT), else :80.
BOX=$(sed -n 's/.*e2e_box=\([^ ]*\).*/\1/p' /proc/cmdline); [ -n "$BOX" ] || BOX=$SERVER
URL=http://$BOX/apkovl/$MAC.tar.gz
mkdir -p /ovl
# busybox-static 1.35's "wget -T" segfaults: bound it with timeout instead.
if timeout 20 wget -q -O /tmp/ovl.tar.gz "$URL"; then
  tar -xzf /tmp/ovl.tar.gz -C /ovl || fail untar
  echo "E2E-OVERLAY $MAC $(cat /ovl/etc/e2e-value 2>/dev/null || echo missing)"
else
  echo "E2E-OVERLAY $MAC none"
fi
# Upload a changed overlay, as `lbu package` + PUT would. busybox has no PUT client: speak HTTP/1.0 over nc,
# keeping nc's input open until the reply is in (busybox nc closes the connection at end of input), and no
# longer: the reply lands in a file that the writer side watches.
mkdir -p /ovl/etc; echo "uploaded-by-$MAC" > /ovl/etc/e2e-uploaded
(cd /ovl && tar -czf /tmp/new.tar.gz etc) || fail tar
LEN=$(wc -c < /tmp/new.tar.gz)
HOSTPART=${BOX%%:*}; PORT=${BOX#*:}; [ "$PORT" = "$BOX" ] && PORT=80
: > /tmp/put.reply
{ printf 'PUT /apkovl/%s.tar.gz HTTP/1.0\r\nHost: %s\r\nContent-Type: application/gzip\r\nContent-Length: %s\r\n\r\n' "$MAC" "$BOX" "$LEN"
  cat /tmp/new.tar.gz
  for i in $(seq 100); do [ -s /tmp/put.reply ] && break; sleep 0.1; done
} | timeout 20 nc "$HOSTPART" "$PORT" > /tmp/put.reply
STATUS=$(head -n1 /tmp/put.reply | cut -d' ' -f2)
echo "E2E-PUT $MAC ${STATUS:-none}"
echo "E2E-DONE $MAC"
poweroff -f
