using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Render.Capture;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Render.Capture;

/// <summary>ustreamer's transient unit from <c>kvm.capture</c>, byte for byte against Golden/capture/, and the D-Bus shapes of its properties.</summary>
public class UstreamerUnitTests
{
    private static CaptureSettings Capture(string capture) =>
        SiteText.Load(SiteText.Minimal + "\nkvm: { host: a, capture: " + capture + " }\n").Inventory!.Kvm!.Capture!;

    [Fact]
    public void A_UVC_stick_with_the_defaults()
    {
        var capture = Capture("{}");
        Golden.Verify("capture/defaults.unit", UstreamerUnit.Text(UstreamerUnit.Properties(capture, "a")));
    }

    [Fact]
    public void An_MJPEG_stick_by_id_at_30_fps_is_passed_through()
    {
        var capture = Capture("{ device: /dev/v4l/by-id/usb-MACROSILICON_USB_Video-video-index0, resolution: 1280x720, fps: 30, format: mjpeg }");
        Golden.Verify("capture/mjpeg.unit", UstreamerUnit.Text(UstreamerUnit.Properties(capture, "a")));
        Assert.Equal(["/usr/bin/ustreamer", "--device", "/dev/v4l/by-id/usb-MACROSILICON_USB_Video-video-index0", "--input", "0", "--resolution", "1280x720",
            "--format", "MJPEG", "--encoder", "HW", "--desired-fps", "30", "--persistent", "--slowdown", "--unix", "/run/netbootpi/capture/ustreamer.sock",
            "--unix-rm", "--unix-mode", "660"], UstreamerUnit.Arguments(capture));
    }

    [Fact]
    public void An_HDMI_receiver_follows_the_sources_DV_timings()
    {
        var capture = Capture("{ device: /dev/video3, input: 3, resolution: 640x480, dv_timings: true }");
        Golden.Verify("capture/dv-timings.unit", UstreamerUnit.Text(UstreamerUnit.Properties(capture, "a", "/opt/ustreamer")));
    }

    [Fact]
    public void Each_property_has_the_DBus_signature_systemd_reads_it_with()
    {
        // org.freedesktop.systemd1(5): the types StartTransientUnit takes for these names.
        var expected = new Dictionary<string, string>
        {
            ["Description"] = "s", ["ExecStart"] = "a(sasb)", ["Restart"] = "s", ["RestartUSec"] = "t", ["CollectMode"] = "s",
            ["DynamicUser"] = "b", ["SupplementaryGroups"] = "as", ["DevicePolicy"] = "s", ["DeviceAllow"] = "a(ss)", ["PrivateNetwork"] = "b",
            ["RestrictAddressFamilies"] = "(bas)", ["RuntimeDirectory"] = "as", ["RuntimeDirectoryMode"] = "u", ["UMask"] = "u",
            ["CapabilityBoundingSet"] = "t", ["NoNewPrivileges"] = "b", ["ProtectSystem"] = "s", ["ProtectHome"] = "s", ["PrivateTmp"] = "b",
            ["ProtectKernelTunables"] = "b", ["ProtectKernelModules"] = "b", ["ProtectKernelLogs"] = "b", ["ProtectControlGroups"] = "b",
            ["ProtectClock"] = "b", ["ProtectHostname"] = "b", ["RestrictNamespaces"] = "t", ["LockPersonality"] = "b",
            ["MemoryDenyWriteExecute"] = "b", ["RestrictRealtime"] = "b", ["RestrictSUIDSGID"] = "b", ["SystemCallArchitectures"] = "as",
            ["SystemCallFilter"] = "(bas)",
        };
        var properties = UstreamerUnit.Properties(Capture("{}"), "a");
        Assert.Equal(expected.OrderBy(e => e.Key), properties.Select(p => KeyValuePair.Create(p.Name, p.Signature)).OrderBy(e => e.Key));
        var exec = Assert.IsType<UnitProperty.ExecCommand>(properties.Single(p => p.Name == "ExecStart").Value);
        Assert.Equal("/usr/bin/ustreamer", exec.Path);
        Assert.Equal(UstreamerUnit.Arguments(Capture("{}")), exec.Argv);
        Assert.Equal(("/dev/video0", "rw"), Assert.IsType<(string, string)[]>(properties.Single(p => p.Name == "DeviceAllow").Value).Single());
    }

    [Fact]
    public void A_command_argument_with_spaces_or_quotes_is_quoted_as_systemd_splits_it()
    {
        var p = UnitProperty.Exec("ExecStart", "/bin/x", ["/bin/x", "a b", "c\"d", "plain"]);
        Assert.Equal("ExecStart=/bin/x \"a b\" \"c\\\"d\" plain", p.ToString());
    }
}
