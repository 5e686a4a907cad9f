namespace NetbootPi.Agent.Site;

/// <summary>
/// The <c>kvm:</c> section: the console host, the one host the box's USB-C port is plugged into, to which the box is
/// a USB drive, keyboard and pointer (docs/console.md). <see cref="Udc"/> names the USB device controller when
/// the box has more than one; <see cref="Layout"/> is the keyboard layout the host is set to; <see cref="Capture"/>
/// the host's screen through a capture device, or null.
/// </summary>
public sealed record KvmSettings(string Host, string? Udc, string Layout, SourceLocation Location)
{
    public const string DefaultLayout = "us";

    public CaptureSettings? Capture { get; init; }
}
