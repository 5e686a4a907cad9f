using NetbootPi.Tests.Shared;

namespace NetbootPi.Agent.Tests.WireGuard;

/// <summary>
/// Reads a QR code printed as text back into an image and decodes it with zbarimg, as a phone's camera reads the
/// screen. The text is for a terminal's dark background: a block is lit (a light module), a space is dark; '▀' lights
/// the upper of the two rows a line holds, '▄' the lower.
/// </summary>
internal static class QrDecode
{
    public static async Task<string> ReadAsync(string text, string folder)
    {
        var zbarimg = Peers.Require("zbarimg", "zbar-tools");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var width = lines.Max(l => l.Length);
        // A PBM's 1 is black: a dark module, where the terminal shows no light.
        const int scale = 4, margin = 4;
        var rows = new List<bool[]>();
        foreach (var line in lines)
        {
            var upper = new bool[width];
            var lower = new bool[width];
            for (var x = 0; x < line.Length; x++)
            {
                upper[x] = line[x] is ' ' or '▄';
                lower[x] = line[x] is ' ' or '▀';
            }
            rows.Add(upper);
            rows.Add(lower);
        }
        var w = (width + 2 * margin) * scale;
        var h = (rows.Count + 2 * margin) * scale;
        var pbm = new System.Text.StringBuilder($"P1\n{w} {h}\n");
        for (var y = 0; y < h; y++)
        {
            var r = y / scale - margin;
            for (var x = 0; x < w; x++)
            {
                var c = x / scale - margin;
                pbm.Append(r >= 0 && r < rows.Count && c >= 0 && c < width && rows[r][c] ? '1' : '0');
            }
            pbm.Append('\n');
        }
        var file = Path.Combine(folder, "qr.pbm");
        await File.WriteAllTextAsync(file, pbm.ToString(), TestContext.Current.CancellationToken);
        var (code, stdout, stderr) = await Tool.RunAsync(zbarimg, ["--quiet", "--raw", "-Sbinary", file], TestContext.Current.CancellationToken);
        Assert.True(code == 0, $"zbarimg could not read the QR code: {stderr}");
        return stdout;
    }
}
