using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Smoke;

/// <summary>
/// A USB gadget made through configfs, as the agent's virtual media will be, on dummy_hcd: the same kernel's
/// USB host side sees the gadget as a real USB device.
/// </summary>
[Collection(SystemdLabCollection.Name)]
public class UsbGadgetTests(SystemdLabFixture lab)
{
    [Fact]
    public async Task A_mass_storage_gadget_on_dummy_hcd_is_a_USB_disk_with_the_bytes_of_its_backing_file()
    {
        var result = await lab.ShellAsync("""
            G=/sys/kernel/config/usb_gadget/nbp-lab
            cleanup() {
              [ -e $G/UDC ] && echo "" > $G/UDC 2>/dev/null || true
              rm -f $G/configs/c.1/mass_storage.0 2>/dev/null || true
              rmdir $G/configs/c.1/strings/0x409 $G/configs/c.1 $G/functions/mass_storage.0 $G/strings/0x409 $G 2>/dev/null || true
              rm -f /tmp/nbp-backing.img
            }
            trap cleanup EXIT
            head -c 4194304 /dev/urandom > /tmp/nbp-backing.img
            modprobe dummy_hcd
            modprobe libcomposite
            mkdir $G
            echo 0x1d6b > $G/idVendor; echo 0x0104 > $G/idProduct
            mkdir $G/strings/0x409
            echo NetbootPi > $G/strings/0x409/manufacturer; echo Lab > $G/strings/0x409/product
            echo nbp-lab-0001 > $G/strings/0x409/serialnumber
            mkdir -p $G/configs/c.1/strings/0x409 $G/functions/mass_storage.0
            echo media > $G/configs/c.1/strings/0x409/configuration
            echo 1 > $G/functions/mass_storage.0/lun.0/removable
            echo /tmp/nbp-backing.img > $G/functions/mass_storage.0/lun.0/file
            ln -s $G/functions/mass_storage.0 $G/configs/c.1/
            udc=$(ls /sys/class/udc | grep '^dummy_udc' | head -n1)
            echo "$udc" > $G/UDC
            # udev loads usb-storage for the new device; its disk appears below dummy_hcd.
            disk=
            for i in $(seq 100); do
              for b in /sys/block/sd*; do
                [ -e "$b" ] && readlink -f "$b" | grep -q dummy_hcd && disk=/dev/${b##*/}
              done
              [ -n "$disk" ] && [ "$(cat /sys/block/${disk##*/}/size)" -gt 0 ] && break
              sleep 0.2
            done
            [ -n "$disk" ] || { echo "no USB disk appeared" >&2; exit 1; }
            udevadm settle
            # udev names it from the SCSI inquiry (the gadget's "Linux File-Stor Gadget") and the USB serial.
            link=$(ls /dev/disk/by-id/ | grep -- '_nbp-lab-0001-' | head -n1)
            echo "$link"
            [ "$(readlink -f "/dev/disk/by-id/$link")" = "$disk" ] && echo link-is-the-disk
            cmp "$disk" /tmp/nbp-backing.img && echo same-bytes
            """, TestContext.Current.CancellationToken);

        result.EnsureSuccess();
        Assert.Equal("usb-Linux_File-Stor_Gadget_nbp-lab-0001-0:0\nlink-is-the-disk\nsame-bytes\n", result.Stdout);
    }
}
