using System.Runtime.CompilerServices;
using NetbootPi.Agent.Capture;

namespace NetbootPi.Agent.Tests.Capture;

/// <summary>
/// What the capture reads from v4l2-ctl and ustreamer, against their real output: v4l2-ctl 1.22 and ustreamer 4.9
/// on vivid in the kernel lab (Debian 12, Linux 6.1), kept in Captured/.
/// </summary>
public class V4l2CtlTests
{
    private static string Captured(string name, [CallerFilePath] string caller = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(caller)!, "Captured", name));

    [Fact]
    public void Vivids_four_inputs_and_which_has_DV_timings()
    {
        var inputs = V4l2Ctl.ParseInputs(Captured("vivid-list-inputs.txt"));
        Assert.Equal([new V4l2Input(0, "Webcam 0", false), new V4l2Input(1, "TV 0", false), new V4l2Input(2, "S-Video 0", false), new V4l2Input(3, "HDMI 0", true)],
            inputs);
    }

    [Fact]
    public void The_DV_timings_of_vivids_HDMI_input()
    {
        var timings = V4l2Ctl.ParseDvTimings(Captured("vivid-query-dv-timings.txt"));
        Assert.Equal(new DvTimings(1280, 720, false, 60.0, 74_250_000), timings);
        Assert.Equal("1280x720p60", timings!.ToString());
    }

    [Fact]
    public void No_signal_is_no_timings()
    {
        // What v4l2-ctl prints when the source sends nothing (ENOLINK): an error and no fields.
        Assert.Null(V4l2Ctl.ParseDvTimings("VIDIOC_QUERY_DV_TIMINGS: failed: Link has been severed\n"));
        // An interlaced mode (written here in v4l2-ctl's field layout; vivid's default is progressive).
        var interlaced = V4l2Ctl.ParseDvTimings("\tActive width: 1920\n\tActive height: 1080\n\tFrame format: interlaced (top field first)\n\tPixelclock: 74250000 Hz (25.00 frames per second)\n");
        Assert.Equal(new DvTimings(1920, 1080, true, 25.0, 74_250_000), interlaced);
        Assert.Equal("1920x1080i25", interlaced!.ToString());
    }

    [Fact]
    public void An_EDID_goes_to_v4l2_ctl_as_the_hex_text_it_reads()
    {
        var edid = Site.CaptureSectionTests.Edid();
        var call = V4l2Ctl.SetEdid("/dev/video3", 3, edid);
        Assert.Equal("v4l2-ctl --device /dev/video3 --set-edid pad=3,file=-,format=hex", call.ToString());
        var lines = call.Input!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(8, lines.Length);
        Assert.Equal("00 ff ff ff ff ff ff 00 42 42 42 42 42 42 42 42", lines[0]);
        Assert.Equal(edid, Convert.FromHexString(string.Concat(lines).Replace(" ", "", StringComparison.Ordinal)));
    }

    [Fact]
    public void Ustreamers_state_as_it_answers_it()
    {
        Assert.Equal(new UstreamerState(640, 480, true, 0, 25, 0), UstreamerState.Parse(System.Text.Encoding.UTF8.GetBytes(Captured("ustreamer-state.json"))));
        Assert.Null(UstreamerState.Parse("<html>"u8));
        Assert.Null(UstreamerState.Parse("{\"ok\": false}"u8));
    }
}
