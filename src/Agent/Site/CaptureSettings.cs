namespace NetbootPi.Agent.Site;

/// <summary>
/// <c>kvm.capture</c>: the console host's screen through a V4L2 capture device (a USB HDMI capture stick, UVC),
/// streamed by ustreamer in a systemd unit the agent runs (docs/console.md). <see cref="Fps"/> null: the device's
/// maximum. <see cref="EdidFile"/> (an absolute path; its bytes as <see cref="Edid"/>) is given to the device's HDMI
/// input before capture starts, when the device takes one; <see cref="DvTimings"/> has ustreamer follow the
/// source's DV timings (an HDMI receiver's, not a UVC stick's). <see cref="Snapshots"/> is how many snapshots into
/// the console host's events are kept, <see cref="SnapshotDelay"/> how long after a power-on one is taken.
/// </summary>
public sealed record CaptureSettings(
    string Device,
    int Input,
    int Width,
    int Height,
    int? Fps,
    string Format,
    string? EdidFile,
    byte[]? Edid,
    bool DvTimings,
    int Snapshots,
    TimeSpan SnapshotDelay,
    SourceLocation Location)
{
    public const string DefaultDevice = "/dev/video0";
    public const int DefaultWidth = 1920;
    public const int DefaultHeight = 1080;
    public const string DefaultFormat = "yuyv";
    public const int DefaultSnapshots = 50;
    public static readonly TimeSpan DefaultSnapshotDelay = TimeSpan.FromSeconds(15);

    /// <summary>The formats ustreamer takes (its --format), as the site writes them.</summary>
    public static readonly string[] Formats = ["yuyv", "uyvy", "rgb565", "rgb24", "mjpeg", "jpeg"];

    /// <summary>What a capture started from these settings runs with, for status and logs: one line.</summary>
    public string Describe() =>
        $"{Device} input {Input}, {Width}x{Height}{(Fps is { } f ? $" at {f} fps" : "")}, {Format}{(EdidFile is null ? "" : $", EDID {EdidFile}")}{(DvTimings ? ", DV timings" : "")}";
}
