using System.Globalization;
using System.Text;

namespace NetbootPi.Agent.Apply;

/// <summary>
/// A change to a text file as <c>diff -u</c> prints it (and <c>patch</c> reads it): what <c>netbootpi plan</c> shows
/// for every file it would write or remove.
/// </summary>
public static class UnifiedDiff
{
    private const int Context = 3;

    /// <summary>The diff of <paramref name="change"/>; empty when the contents are the same.</summary>
    public static string Render(FileChange change)
    {
        if (change.Before == change.After) return "";
        var a = Lines(change.Before);
        var b = Lines(change.After);
        var edits = Script(a, b);
        var w = new StringBuilder();
        w.Append("--- ").Append(change.Before is null ? "/dev/null" : change.Path).Append('\n');
        w.Append("+++ ").Append(change.After is null ? "/dev/null" : change.Path).Append('\n');
        foreach (var hunk in Hunks(edits))
        {
            var (aStart, aCount, bStart, bCount) = Extent(edits, hunk);
            w.Append(CultureInfo.InvariantCulture, $"@@ -{Range(aStart, aCount)} +{Range(bStart, bCount)} @@\n");
            for (var i = hunk.First; i <= hunk.Last; i++)
            {
                var (kind, ai, bi) = edits[i];
                var line = kind == '+' ? b[bi] : a[ai];
                var noNewline = line.EndsWith(NoNewline, StringComparison.Ordinal);
                w.Append(kind).Append(noNewline ? line[..^NoNewline.Length] : line).Append('\n');
                if (noNewline) w.Append("\\ No newline at end of file\n");
            }
        }
        return w.ToString();
    }

    /// <summary>Marks a last line without its newline: to diff, "x" at the end of a file is not the line "x\n".</summary>
    private const string NoNewline = "\0no newline";

    private static string[] Lines(string? text)
    {
        if (string.IsNullOrEmpty(text)) return [];
        var ends = text.EndsWith('\n');
        var lines = (ends ? text[..^1] : text).Split('\n');
        if (!ends) lines[^1] += NoNewline;
        return lines;
    }

    /// <summary>The edit script: ' ' kept, '-' only in a, '+' only in b, with the lines' indexes (a longest common subsequence).</summary>
    private static List<(char Kind, int A, int B)> Script(string[] a, string[] b)
    {
        // Rendered configuration files are small (hundreds of lines): the quadratic table is cheap and exact.
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var script = new List<(char, int, int)>(a.Length + b.Length);
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y]) script.Add((' ', x++, y++));
            // Removals before additions where either keeps the common part longest, as diff prints a change.
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1])) script.Add(('-', x++, y));
            else script.Add(('+', x, y++));
        }
        return script;
    }

    /// <summary>Runs of edits with up to three unchanged lines around them; runs closer than that are one hunk.</summary>
    private static IEnumerable<(int First, int Last)> Hunks(List<(char Kind, int A, int B)> edits)
    {
        int? first = null;
        var last = 0;
        for (var i = 0; i < edits.Count; i++)
        {
            if (edits[i].Kind == ' ') continue;
            var from = Math.Max(0, i - Context);
            if (first is { } f && from > last + 1)
            {
                yield return (f, last);
                first = null;
            }
            first ??= from;
            last = Math.Min(edits.Count - 1, i + Context);
        }
        if (first is { } open) yield return (open, last);
    }

    private static (int AStart, int ACount, int BStart, int BCount) Extent(List<(char Kind, int A, int B)> edits, (int First, int Last) hunk)
    {
        var slice = edits.Skip(hunk.First).Take(hunk.Last - hunk.First + 1).ToList();
        var aCount = slice.Count(e => e.Kind != '+');
        var bCount = slice.Count(e => e.Kind != '-');
        // diff -u numbers an empty side by the line before it (0 at the top of the file).
        var aStart = aCount == 0 ? slice[0].A : slice.First(e => e.Kind != '+').A + 1;
        var bStart = bCount == 0 ? slice[0].B : slice.First(e => e.Kind != '-').B + 1;
        return (aStart, aCount, bStart, bCount);
    }

    private static string Range(int start, int count) =>
        count == 1 ? start.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{start},{count}");
}
