using System.Globalization;
using System.Text;

namespace NetbootPi.Agent.Site;

/// <summary>
/// One problem in a site file, printed as <c>FILE:LINE:COLUMN: key.path: what is wrong (what was expected)</c>
/// so that editors and terminals can jump to it.
/// </summary>
public sealed record SiteError(SourceLocation Location, string KeyPath, string Message)
{
    /// <summary>
    /// The error as one line. Whatever the file holds reaches a terminal or the journal only as visible text:
    /// control characters, line breaks and the bidirectional overrides that can make text read other than it is
    /// are shown as <c>\xNN</c> / <c>\u{NNNN}</c> escapes.
    /// </summary>
    public override string ToString() => Printable($"{Location}: {KeyPath}: {Message}");

    private static string Printable(string text)
    {
        if (!text.Any(IsHidden)) return text;
        var b = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (!IsHidden(c)) b.Append(c);
            else if (c < 0x100) b.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            else b.Append(CultureInfo.InvariantCulture, $"\\u{{{(int)c:X4}}}");
        }
        return b.ToString();
    }

    private static bool IsHidden(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\uFEFF';
}
