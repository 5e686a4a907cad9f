using System.Globalization;
using System.Text;
using NetbootPi.Agent.Os.Tools;

namespace NetbootPi.Agent.Capture;

/// <summary>
/// The calls of <c>v4l2-ctl</c> (v4l-utils) the capture makes, and readers of what it prints: the device's inputs,
/// an EDID given to an HDMI input, the DV timings the source sends. Each reader is a pure function of the text
/// (tested against v4l2-ctl 1.22's output, captured from vivid).
/// </summary>
public static class V4l2Ctl
{
    public const string Program = "v4l2-ctl";

    // V4L2_IN_CAP_DV_TIMINGS (videodev2.h): the input takes DV timings (and with them an EDID).
    private const uint InputCapDvTimings = 0x00000002;

    public static ToolCall ListInputs(string device) => new(Program, "--device", device, "--list-inputs") { Timeout = TimeSpan.FromSeconds(10) };

    public static ToolCall SetInput(string device, int input) =>
        new(Program, "--device", device, "--set-input", input.ToString(CultureInfo.InvariantCulture)) { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The EDID of input <paramref name="input"/> (for a video node, the EDID's pad is the input's index), as hex text on standard input.</summary>
    public static ToolCall SetEdid(string device, int input, byte[] edid) =>
        new(Program, "--device", device, "--set-edid", $"pad={input.ToString(CultureInfo.InvariantCulture)},file=-,format=hex")
        {
            Input = Hex(edid),
            Timeout = TimeSpan.FromSeconds(10),
        };

    public static ToolCall QueryDvTimings(string device) => new(Program, "--device", device, "--query-dv-timings") { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The EDID as <c>v4l2-ctl --get-edid format=hex</c> writes it: 16 bytes a line.</summary>
    public static string Hex(byte[] edid)
    {
        var s = new StringBuilder(edid.Length * 3);
        for (var i = 0; i < edid.Length; i++)
        {
            s.Append(edid[i].ToString("x2", CultureInfo.InvariantCulture));
            s.Append(i % 16 == 15 ? '\n' : ' ');
        }
        return s.ToString();
    }

    /// <summary>
    /// The inputs in <c>--list-inputs</c>'s output: blocks of <c>Input : N</c>, <c>Name : ...</c>,
    /// <c>Capabilities: 0x00000002 (DV timings)</c>.
    /// </summary>
    public static IReadOnlyList<V4l2Input> ParseInputs(string output)
    {
        var inputs = new List<V4l2Input>();
        int? index = null;
        string name = "";
        uint caps = 0;
        void Flush()
        {
            if (index is { } i) inputs.Add(new V4l2Input(i, name, (caps & InputCapDvTimings) != 0));
            index = null;
            name = "";
            caps = 0;
        }
        foreach (var raw in output.Split('\n'))
        {
            if (Field(raw) is not var (key, value)) continue;
            switch (key)
            {
                case "Input":
                    Flush();
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) index = n;
                    break;
                case "Name":
                    name = value;
                    break;
                case "Capabilities":
                    caps = HexNumber(value);
                    break;
            }
        }
        Flush();
        return inputs;
    }

    /// <summary>
    /// The timings in <c>--query-dv-timings</c> (or <c>--get-dv-timings</c>) output: <c>Active width</c>,
    /// <c>Active height</c>, <c>Frame format</c> (progressive or interlaced), <c>Pixelclock: N Hz (F frames per
    /// second)</c>. Null when the output has no active size (no signal: v4l2-ctl then prints the ioctl's error).
    /// </summary>
    public static DvTimings? ParseDvTimings(string output)
    {
        int width = 0, height = 0;
        var interlaced = false;
        double fps = 0;
        long clock = 0;
        foreach (var raw in output.Split('\n'))
        {
            if (Field(raw) is not var (key, value)) continue;
            switch (key)
            {
                case "Active width":
                    _ = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out width);
                    break;
                case "Active height":
                    _ = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out height);
                    break;
                case "Frame format":
                    interlaced = value.StartsWith("interlaced", StringComparison.Ordinal);
                    break;
                case "Pixelclock":
                    // "74250000 Hz (60.00 frames per second)"
                    var hz = value.IndexOf(" Hz", StringComparison.Ordinal);
                    if (hz > 0) _ = long.TryParse(value.AsSpan(0, hz), NumberStyles.None, CultureInfo.InvariantCulture, out clock);
                    var open = value.IndexOf('(', StringComparison.Ordinal);
                    var per = value.IndexOf(" frames per second", StringComparison.Ordinal);
                    if (open >= 0 && per > open)
                        _ = double.TryParse(value.AsSpan(open + 1, per - open - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out fps);
                    break;
            }
        }
        return width > 0 && height > 0 ? new DvTimings(width, height, interlaced, fps, clock) : null;
    }

    /// <summary>"\tKey : value" as (key, value), both trimmed; null for a line that is not one.</summary>
    private static (string Key, string Value)? Field(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) return null;
        return (line[..colon].Trim(), line[(colon + 1)..].Trim());
    }

    private static uint HexNumber(string value)
    {
        var end = value.IndexOf(' ', StringComparison.Ordinal);
        var hex = end < 0 ? value : value[..end];
        if (hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) hex = hex[2..];
        return uint.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var n) ? n : 0;
    }
}
