using System.Globalization;

namespace NetbootPi.Protocols.Dns;

/// <summary>
/// Names as text: labels joined by dots, no trailing dot, the root as the empty string. A label byte that is not
/// a printable ASCII character, and a dot or backslash inside a label, is written <c>\DDD</c> or <c>\.</c> (RFC 1035
/// §5.1), so every name on the wire has one text form and back. Comparison ignores ASCII case only (RFC 4343).
/// </summary>
public static class DnsName
{
    public const int MaxLength = 255;
    public const int MaxLabelLength = 63;

    /// <summary>ASCII-case-insensitive equality of two names in text form (RFC 4343 §3).</summary>
    public static bool Equal(ReadOnlySpan<char> a, ReadOnlySpan<char> b) => a.Equals(b, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="name"/> is <paramref name="zone"/> or below it.</summary>
    public static bool IsAtOrBelow(ReadOnlySpan<char> name, ReadOnlySpan<char> zone)
    {
        if (zone.Length == 0) return true;
        if (name.Length == zone.Length) return Equal(name, zone);
        if (name.Length < zone.Length + 1) return false;
        var cut = name.Length - zone.Length;
        // The character before the zone must be an unescaped dot.
        return name[cut - 1] == '.' && (cut < 2 || name[cut - 2] != '\\') && Equal(name[cut..], zone);
    }

    /// <summary>The name without its first label ("a.b.c" → "b.c"; a one-label name → the root).</summary>
    public static string Parent(string name)
    {
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] == '\\') { i++; continue; }
            if (name[i] == '.') return name[(i + 1)..];
        }
        return "";
    }

    /// <summary>
    /// An RFC 1123 host label: letters, digits and hyphens, 1–63 characters, not starting or ending with a
    /// hyphen. What a site's host names must be to be served in DNS.
    /// </summary>
    public static bool IsHostLabel(ReadOnlySpan<char> label)
    {
        if (label.Length is 0 or > MaxLabelLength || label[0] == '-' || label[^1] == '-') return false;
        foreach (var c in label)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-') return false;
        }
        return true;
    }

    /// <summary>
    /// Encodes <paramref name="name"/> (text form, escapes allowed) as uncompressed labels ending in the root.
    /// Returns the number of bytes, or -1 when the text is not a name (empty label, a label over 63 bytes, over 255
    /// bytes in all, a bad escape) or <paramref name="destination"/> is too small.
    /// </summary>
    public static int Encode(ReadOnlySpan<char> name, Span<byte> destination)
    {
        var w = 0;
        var i = 0;
        while (i < name.Length)
        {
            var lengthAt = w++;
            if (lengthAt >= destination.Length) return -1;
            var start = w;
            while (i < name.Length && name[i] != '.')
            {
                int b = name[i];
                if (b == '\\')
                {
                    if (!TryUnescape(name, ref i, out b)) return -1;
                }
                else
                {
                    if (b > 0x7E) return -1;
                    i++;
                }
                if (w >= destination.Length || w - start >= MaxLabelLength) return -1;
                destination[w++] = (byte)b;
            }
            if (w == start) return -1; // "a..b", ".a" or "a.": an empty label inside a name
            destination[lengthAt] = (byte)(w - start);
            if (i < name.Length)
            {
                i++;
                if (i == name.Length) return -1;
            }
        }
        if (w >= destination.Length || w + 1 > MaxLength) return -1;
        destination[w++] = 0;
        return w;
    }

    private static bool TryUnescape(ReadOnlySpan<char> name, ref int i, out int value)
    {
        value = 0;
        if (i + 1 >= name.Length) return false;
        if (char.IsAsciiDigit(name[i + 1]))
        {
            if (i + 4 > name.Length) return false;
            if (!int.TryParse(name.Slice(i + 1, 3), NumberStyles.None, CultureInfo.InvariantCulture, out value) || value > 255) return false;
            i += 4;
            return true;
        }
        value = name[i + 1];
        if (value > 0x7E) return false;
        i += 2;
        return true;
    }

    /// <summary>Appends one label's bytes to <paramref name="text"/> in text form.</summary>
    internal static int AppendLabel(ReadOnlySpan<byte> label, Span<char> text, int at)
    {
        foreach (var b in label)
        {
            if (b is (byte)'.' or (byte)'\\')
            {
                text[at++] = '\\';
                text[at++] = (char)b;
            }
            else if (b is < 0x21 or > 0x7E)
            {
                text[at++] = '\\';
                text[at++] = (char)('0' + b / 100);
                text[at++] = (char)('0' + b / 10 % 10);
                text[at++] = (char)('0' + b % 10);
            }
            else text[at++] = (char)b;
        }
        return at;
    }

    /// <summary>For logs: the root as ".".</summary>
    public static string Display(string name) => name.Length == 0 ? "." : name;
}
