namespace NetbootPi.Agent.Tests.Site;

/// <summary><c>kvm.capture</c>: the console host's screen, its defaults and each rule's located message. The kvm section is line 17, after <see cref="SiteText.Minimal"/>.</summary>
public sealed class CaptureSectionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nbp-capture-site-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string With(string capture) => SiteText.Minimal + "\nkvm: { host: a, capture: " + capture + " }\n";

    /// <summary>A 128-byte EDID base block: the header, then bytes, the last one making the sum 0 mod 256.</summary>
    internal static byte[] Edid(byte fill = 0x42)
    {
        var edid = new byte[128];
        byte[] header = [0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00];
        header.CopyTo(edid, 0);
        for (var i = 8; i < 127; i++) edid[i] = fill;
        var sum = 0;
        for (var i = 0; i < 127; i++) sum += edid[i];
        edid[127] = (byte)(256 - (sum & 0xFF));
        return edid;
    }

    [Fact]
    public void Capture_alone_takes_the_first_video_device_at_1080p_and_every_key_is_read()
    {
        var plain = SiteText.Load(SiteText.Minimal + "\nkvm:\n  host: a\n  capture:\n").Inventory!.Kvm!.Capture!;
        Assert.Equal(("/dev/video0", 0, 1920, 1080, (int?)null, "yuyv", (string?)null, false, 50, TimeSpan.FromSeconds(15)),
            (plain.Device, plain.Input, plain.Width, plain.Height, plain.Fps, plain.Format, plain.EdidFile, plain.DvTimings, plain.Snapshots, plain.SnapshotDelay));
        Assert.Null(SiteText.Load(With("{}").Replace("capture: {}", "udc: x", StringComparison.Ordinal)).Inventory!.Kvm!.Capture);

        var edid = Path.Combine(_dir, "edid.bin");
        File.WriteAllBytes(edid, Edid());
        var full = SiteText.Load(With($"{{ device: /dev/v4l/by-id/usb-MACROSILICON-video-index0, input: 3, resolution: 1280x720, fps: 30, format: MJPEG, edid: {edid}, dv_timings: true, snapshots: 5, snapshot_delay: 1s }}"))
            .Inventory!.Kvm!.Capture!;
        Assert.Equal(("/dev/v4l/by-id/usb-MACROSILICON-video-index0", 3, 1280, 720, (int?)30, "mjpeg", edid, true, 5, TimeSpan.FromSeconds(1)),
            (full.Device, full.Input, full.Width, full.Height, full.Fps, full.Format, full.EdidFile, full.DvTimings, full.Snapshots, full.SnapshotDelay));
        Assert.Equal(Edid(), full.Edid);
        Assert.Equal("/dev/v4l/by-id/usb-MACROSILICON-video-index0 input 3, 1280x720 at 30 fps, mjpeg, EDID " + edid + ", DV timings", full.Describe());
    }

    [Fact]
    public void An_EDID_in_hex_text_as_v4l2_ctl_writes_it_is_read_as_its_bytes()
    {
        var bytes = Edid(0x17);
        var hex = Path.Combine(_dir, "edid.hex");
        // Sixteen bytes a line, a comment, as PiKVM's and v4l2-ctl --get-edid format=hex's files look.
        File.WriteAllText(hex, "# 1080p60\n" + string.Concat(bytes.Select((b, i) => b.ToString("x2") + (i % 16 == 15 ? "\n" : " "))));
        Assert.Equal(bytes, SiteText.Load(With($"{{ edid: {hex} }}")).Inventory!.Kvm!.Capture!.Edid);
    }

    [Fact]
    public void Wrong_values_are_located()
    {
        Assert.Equal(["t.yaml:17:36: kvm.capture.device: '/dev/../etc/shadow' is not a device path (expected a path under /dev, like /dev/video0 or /dev/v4l/by-id/usb-...-video-index0)"],
            SiteText.Errors(With("{ device: /dev/../etc/shadow }")));
        Assert.Equal(["t.yaml:17:36: kvm.capture.device: 'video0' is not a device path (expected a path under /dev, like /dev/video0 or /dev/v4l/by-id/usb-...-video-index0)"],
            SiteText.Errors(With("{ device: video0 }")));
        Assert.Equal(["t.yaml:17:40: kvm.capture.resolution: '1920*1080' is not a resolution (expected WIDTHxHEIGHT, each 16 to 7680, like 1920x1080)"],
            SiteText.Errors(With("{ resolution: 1920*1080 }")));
        Assert.Equal(["t.yaml:17:33: kvm.capture.fps: 240 is outside 1..120 (expected frames per second, 1 to 120)"],
            SiteText.Errors(With("{ fps: 240 }")));
        Assert.Equal(["t.yaml:17:36: kvm.capture.format: 'h264' is not a format ustreamer takes (expected one of: yuyv, uyvy, rgb565, rgb24, mjpeg, jpeg)"],
            SiteText.Errors(With("{ format: h264 }")));
        Assert.Equal(["t.yaml:17:28: kvm.capture.dv: unknown key (expected one of: device, input, resolution, fps, format, edid, dv_timings, snapshots, snapshot_delay)"],
            SiteText.Errors(With("{ dv: true }")));
        Assert.Equal(["t.yaml:17:44: kvm.capture.snapshot_delay: '1h' is longer than 10m (expected how long after a power-on the screen is worth a snapshot, like 15s)"],
            SiteText.Errors(With("{ snapshot_delay: 1h }")));
        Assert.Equal(["t.yaml:17:39: kvm.capture.snapshots: 0 is outside 1..1000 (expected how many snapshots to keep, 1 to 1000)"],
            SiteText.Errors(With("{ snapshots: 0 }")));
    }

    [Fact]
    public void An_EDID_file_that_is_missing_short_or_broken_is_located()
    {
        var missing = Path.Combine(_dir, "none.bin");
        Assert.Equal([$"t.yaml:17:34: kvm.capture.edid: {missing}: no such file (expected an EDID file, binary or hex text, beside the site file or by absolute path)"],
            SiteText.Errors(With($"{{ edid: {missing} }}")));
        var shortFile = Path.Combine(_dir, "short.bin");
        File.WriteAllBytes(shortFile, Edid()[..100]);
        Assert.Equal([$"t.yaml:17:34: kvm.capture.edid: {shortFile} holds 100 bytes of EDID (expected 128, 256, 384 or 512: whole 128-byte blocks)"],
            SiteText.Errors(With($"{{ edid: {shortFile} }}")));
        var bad = Edid();
        bad[127]++;
        var badFile = Path.Combine(_dir, "bad.bin");
        File.WriteAllBytes(badFile, bad);
        Assert.Equal([$"t.yaml:17:34: kvm.capture.edid: {badFile}: block 0 of the EDID has a wrong checksum (its bytes sum to 01, not 00, mod 256)"],
            SiteText.Errors(With($"{{ edid: {badFile} }}")));
        var text = Path.Combine(_dir, "text.txt");
        File.WriteAllText(text, "not an edid at all\n");
        Assert.Equal([$"t.yaml:17:34: kvm.capture.edid: {text} is neither a binary EDID (starting 00 ff ff ff ff ff ff 00) nor hex text of one"],
            SiteText.Errors(With($"{{ edid: {text} }}")));
    }
}
