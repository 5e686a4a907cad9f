using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Smoke;

/// <summary>V4L2 capture through vivid (a virtual capture device), read by ustreamer as the console's video will be.</summary>
[Collection(SystemdLabCollection.Name)]
public class CaptureTests(SystemdLabFixture lab)
{
    [Fact]
    public async Task Vivid_gives_a_capture_device_that_ustreamer_takes_a_JPEG_from()
    {
        var result = await lab.ShellAsync("""
            cleanup() { [ -n "${us:-}" ] && kill $us 2>/dev/null; wait 2>/dev/null; rmmod vivid 2>/dev/null || true; }
            trap cleanup EXIT
            # One vivid instance with only a video capture node.
            modprobe vivid n_devs=1 node_types=0x1
            dev=
            for v in /sys/class/video4linux/video*; do grep -q '^vivid' $v/name 2>/dev/null && dev=/dev/${v##*/}; done
            [ -c "$dev" ] || { echo "no vivid capture device" >&2; exit 1; }
            ustreamer --device "$dev" --host 127.0.0.1 --port 18080 --resolution 640x480 > /tmp/nbp-ustreamer.log 2>&1 &
            us=$!
            for i in $(seq 150); do
              curl -sf -o "$LAB_JOB_DIR/snapshot.jpg" http://127.0.0.1:18080/snapshot && break
              sleep 0.2
            done
            [ -s "$LAB_JOB_DIR/snapshot.jpg" ] || { cat /tmp/nbp-ustreamer.log >&2; exit 1; }
            echo captured
            """, TestContext.Current.CancellationToken);

        result.EnsureSuccess();
        Assert.Equal("captured\n", result.Stdout);
        // The JPEG came back through the run's share: check it here, from its first bytes to its last.
        byte[] jpeg = File.ReadAllBytes(Path.Combine(result.JobDirectory, "snapshot.jpg"));
        Assert.True(jpeg.Length > 1000, $"{jpeg.Length} bytes");
        Assert.Equal([0xFF, 0xD8, 0xFF], jpeg[..3]);   // SOI and the next marker
        Assert.Equal([0xFF, 0xD9], jpeg[^2..]);        // EOI
        // The frame size asked of the device, from the baseline frame header (SOF0: FF C0, length, precision,
        // height, width; ITU T.81 B.2.2).
        int sof = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        Assert.True(sof > 0, "no SOF0 marker");
        Assert.Equal((480, 640), ((jpeg[sof + 5] << 8) | jpeg[sof + 6], (jpeg[sof + 7] << 8) | jpeg[sof + 8]));
    }
}
