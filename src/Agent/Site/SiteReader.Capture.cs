using System.Globalization;
using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

// kvm.capture: the console host's screen through a V4L2 capture device, streamed by ustreamer (docs/console.md).
internal sealed partial class SiteReader
{
    private static readonly string[] CaptureKeys = ["device", "input", "resolution", "fps", "format", "edid", "dv_timings", "snapshots", "snapshot_delay"];

    // EDID: 128-byte blocks, the base block and up to three extensions (what v4l2-ctl and HDMI receivers take).
    private const int EdidBlock = 128;
    private const int MaxEdidBlocks = 4;
    private static readonly byte[] EdidHeader = [0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00];

    private CaptureSettings? ReadCapture(YamlNode node)
    {
        const string path = "kvm.capture";
        // "capture:" alone: the defaults (the first video device, 1920x1080).
        if (node is YamlScalar { IsNull: true }) return Defaults(node);
        var m = Mapping(node, path, "a mapping with device (like /dev/video0), input, resolution (like 1920x1080), fps, format, edid, dv_timings, snapshots and snapshot_delay", CaptureKeys);
        if (m is null) return null;
        var before = _errors.Count;
        var device = CaptureSettings.DefaultDevice;
        if (m.TryGetValue("device", out var d) && Scalar(d, $"{path}.device", "the path of a V4L2 device, like /dev/video0") is { } ds)
        {
            // The unit is allowed this one device node; a path that climbs out of /dev would allow something else.
            var v = ds.Value;
            if (!v.StartsWith("/dev/", StringComparison.Ordinal) || v.Split('/').Any(p => p is "." or "..") || v.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                Error(ds, $"{path}.device", $"'{v}' is not a device path (expected a path under /dev, like /dev/video0 or /dev/v4l/by-id/usb-...-video-index0)");
            else device = v;
        }
        var input = m.TryGetValue("input", out var i) ? Integer(i, $"{path}.input", "the device's input number, 0 to 63 (v4l2-ctl --list-inputs)", 0, 63) ?? 0 : 0;
        int width = CaptureSettings.DefaultWidth, height = CaptureSettings.DefaultHeight;
        if (m.TryGetValue("resolution", out var r) && Scalar(r, $"{path}.resolution", "WIDTHxHEIGHT, like 1920x1080") is { } rs)
        {
            if (TryParseResolution(rs.Value, out var w, out var h)) (width, height) = (w, h);
            else Error(rs, $"{path}.resolution", $"'{rs.Value}' is not a resolution (expected WIDTHxHEIGHT, each 16 to 7680, like 1920x1080)");
        }
        int? fps = m.TryGetValue("fps", out var f) ? Integer(f, $"{path}.fps", "frames per second, 1 to 120", 1, 120) : null;
        var format = CaptureSettings.DefaultFormat;
        if (m.TryGetValue("format", out var fo) && Scalar(fo, $"{path}.format", "a pixel format") is { } fs)
        {
            var lower = fs.Value.ToLowerInvariant();
            if (Array.IndexOf(CaptureSettings.Formats, lower) < 0)
                Error(fs, $"{path}.format", $"'{fs.Value}' is not a format ustreamer takes (expected one of: {string.Join(", ", CaptureSettings.Formats)})");
            else format = lower;
        }
        string? edidFile = null;
        byte[]? edid = null;
        if (m.TryGetValue("edid", out var e) && Scalar(e, $"{path}.edid", "the path of an EDID file (binary, or hex text)") is { } es)
        {
            edidFile = Path.GetFullPath(es.Value, Path.GetDirectoryName(Path.GetFullPath(_file)) ?? "/");
            edid = ReadEdid(es, $"{path}.edid", edidFile);
        }
        var dv = m.TryGetValue("dv_timings", out var dvn) && Boolean(dvn, $"{path}.dv_timings") == true;
        var snapshots = m.TryGetValue("snapshots", out var sn) ? Integer(sn, $"{path}.snapshots", "how many snapshots to keep, 1 to 1000", 1, 1000) ?? 0 : CaptureSettings.DefaultSnapshots;
        var delay = CaptureSettings.DefaultSnapshotDelay;
        if (m.TryGetValue("snapshot_delay", out var sd) && Duration(sd, $"{path}.snapshot_delay") is { } dd)
        {
            if (dd > TimeSpan.FromMinutes(10)) Error(sd, $"{path}.snapshot_delay", $"'{((YamlScalar)sd).Value}' is longer than 10m (expected how long after a power-on the screen is worth a snapshot, like 15s)");
            else delay = dd;
        }
        if (_errors.Count != before) return null;
        return new CaptureSettings(device, input, width, height, fps, format, edidFile, edid, dv, snapshots, delay, node.Location);
    }

    private static CaptureSettings Defaults(YamlNode node) =>
        new(CaptureSettings.DefaultDevice, 0, CaptureSettings.DefaultWidth, CaptureSettings.DefaultHeight, null, CaptureSettings.DefaultFormat,
            null, null, false, CaptureSettings.DefaultSnapshots, CaptureSettings.DefaultSnapshotDelay, node.Location);

    internal static bool TryParseResolution(string text, out int width, out int height)
    {
        width = height = 0;
        var x = text.IndexOf('x', StringComparison.Ordinal);
        return x > 0
            && int.TryParse(text.AsSpan(0, x), NumberStyles.None, CultureInfo.InvariantCulture, out width)
            && int.TryParse(text.AsSpan(x + 1), NumberStyles.None, CultureInfo.InvariantCulture, out height)
            && width is >= 16 and <= 7680 && height is >= 16 and <= 7680;
    }

    /// <summary>
    /// The EDID's bytes: a binary file, or hex text (as PiKVM and <c>v4l2-ctl --get-edid format=hex</c> write it:
    /// pairs of hex digits, any white space, <c>#</c> comments); 1 to 4 blocks of 128 bytes, the first with the EDID
    /// header. Read here, so that a wrong file is a located error and not a failed capture start.
    /// </summary>
    private byte[]? ReadEdid(YamlScalar at, string path, string file)
    {
        byte[] raw;
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists)
            {
                Error(at, path, $"{file}: no such file (expected an EDID file, binary or hex text, beside the site file or by absolute path)");
                return null;
            }
            if (info.Length > 16 * 1024)
            {
                Error(at, path, $"{file} is {info.Length} bytes, too large for an EDID (expected 128 to 512 bytes, or their hex text)");
                return null;
            }
            raw = File.ReadAllBytes(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Error(at, path, $"{file} cannot be read: {ex.Message}");
            return null;
        }
        var bytes = raw.AsSpan().StartsWith(EdidHeader) ? raw : HexEdid(raw);
        if (bytes is null)
        {
            Error(at, path, $"{file} is neither a binary EDID (starting 00 ff ff ff ff ff ff 00) nor hex text of one");
            return null;
        }
        if (bytes.Length == 0 || bytes.Length % EdidBlock != 0 || bytes.Length > EdidBlock * MaxEdidBlocks)
        {
            Error(at, path, $"{file} holds {bytes.Length} bytes of EDID (expected 128, 256, 384 or 512: whole 128-byte blocks)");
            return null;
        }
        if (!bytes.AsSpan().StartsWith(EdidHeader))
        {
            Error(at, path, $"{file} does not start with the EDID header 00 ff ff ff ff ff ff 00");
            return null;
        }
        // Each block's bytes sum to 0 mod 256 (VESA E-EDID): a receiver refuses a block whose checksum is wrong.
        for (var b = 0; b < bytes.Length / EdidBlock; b++)
        {
            var sum = 0;
            foreach (var x in bytes.AsSpan(b * EdidBlock, EdidBlock)) sum += x;
            if ((sum & 0xFF) != 0)
            {
                Error(at, path, $"{file}: block {b} of the EDID has a wrong checksum (its bytes sum to {sum & 0xFF:x2}, not 00, mod 256)");
                return null;
            }
        }
        return bytes;
    }

    private static byte[]? HexEdid(byte[] raw)
    {
        var digits = new List<byte>(raw.Length);
        var comment = false;
        foreach (var c in raw)
        {
            if (comment)
            {
                comment = c != '\n';
                continue;
            }
            if (c == '#') comment = true;
            else if (c is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') continue;
            else if (char.IsAsciiHexDigit((char)c)) digits.Add(c);
            else return null;
        }
        if (digits.Count % 2 != 0) return null;
        var bytes = new byte[digits.Count / 2];
        for (var k = 0; k < bytes.Length; k++)
            bytes[k] = (byte)((Convert.ToInt32(((char)digits[2 * k]).ToString(), 16) << 4) | Convert.ToInt32(((char)digits[2 * k + 1]).ToString(), 16));
        return bytes;
    }
}
