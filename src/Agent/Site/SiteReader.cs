using System.Collections.Immutable;
using System.Globalization;
using NetbootPi.Agent.Site.Yaml;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

/// <summary>
/// Turns the YAML tree of a site file into a validated <see cref="SiteInventory"/>, reporting every problem
/// at once. This part holds the typed value readers; the sections are read in the other partial files.
/// </summary>
internal sealed partial class SiteReader
{
    private readonly List<SiteError> _errors;

    /// <summary>The site file's path, which files it names (the WireGuard peers file) are relative to.</summary>
    private readonly string _file;

    private SiteReader(List<SiteError> errors, string file)
    {
        _errors = errors;
        _file = file;
    }

    public static SiteInventory? Read(YamlNode? root, string file, List<SiteError> errors)
    {
        var reader = new SiteReader(errors, file);
        if (root is null)
        {
            if (errors.Count == 0)
                errors.Add(new SiteError(new SourceLocation(file, 1, 1), "(document)",
                    "the file is empty (expected the sections site, networks, profiles, defaults and hosts)"));
            return null;
        }
        var inventory = reader.ReadDocument(root);
        return errors.Count == 0 ? inventory : null;
    }

    private void Error(YamlNode node, string path, string message) =>
        _errors.Add(new SiteError(node.Location, path, message));

    /// <summary>
    /// Checks that <paramref name="node"/> is a mapping whose keys are all in <paramref name="allowed"/> and that
    /// every key in <paramref name="required"/> is there. Returns the entries by key, or null if not a mapping.
    /// </summary>
    private Dictionary<string, YamlNode>? Mapping(YamlNode node, string path, string expected,
        ReadOnlySpan<string> allowed, ReadOnlySpan<string> required = default)
    {
        if (node is not YamlMapping map)
        {
            Error(node, path, $"expected {expected}, found {node.Describe()}");
            return null;
        }
        var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Entries)
        {
            if (allowed.IndexOf(key.Value) < 0)
            {
                Error(key, Join(path, key.Value), UnknownKey(key.Value, allowed));
                continue;
            }
            result[key.Value] = value;
        }
        foreach (var name in required)
        {
            if (!result.ContainsKey(name))
                Error(node, path, $"missing key '{name}' (expected {expected})");
        }
        return result;
    }

    private static string UnknownKey(string key, ReadOnlySpan<string> allowed)
    {
        var suggestion = Suggest(key, allowed);
        return suggestion is null
            ? $"unknown key (expected one of: {string.Join(", ", allowed.ToArray())})"
            : $"unknown key (did you mean '{suggestion}'?)";
    }

    /// <summary>The closest candidate within a small edit distance, for "did you mean" hints.</summary>
    internal static string? Suggest(string word, ReadOnlySpan<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            var d = EditDistance(word.ToLowerInvariant(), c.ToLowerInvariant());
            if (d < bestDistance) { best = c; bestDistance = d; }
        }
        // Short words are near everything ("x" is one edit from "p"): hint only when the miss is small relative to the word.
        var limit = Math.Min(3, word.Length / 3);
        return bestDistance <= limit ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        // Optimal string alignment: Levenshtein plus adjacent transpositions ("nmae" -> "name" is one edit).
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        for (var j = 1; j <= b.Length; j++)
        {
            var cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
        }
        return d[a.Length, b.Length];
    }

    private static string Join(string path, string key) => path is "" or "(document)" ? key : $"{path}.{key}";

    private YamlScalar? Scalar(YamlNode node, string path, string expected)
    {
        if (node is YamlScalar s && !s.IsNull) return s;
        Error(node, path, $"expected {expected}, found {node.Describe()}");
        return null;
    }

    private string? String(YamlNode node, string path, string expected) => Scalar(node, path, expected)?.Value;

    private string? Name(YamlNode node, string path, string what, Func<string, bool> isValid, string rule)
    {
        var s = Scalar(node, path, what);
        if (s is null) return null;
        if (isValid(s.Value)) return s.Value;
        Error(s, path, $"'{s.Value}' is not a valid {what} (expected {rule})");
        return null;
    }

    private Ipv4Address? Ip(YamlNode node, string path)
    {
        var s = Scalar(node, path, "an IPv4 address like 10.69.1.1");
        if (s is null) return null;
        if (Ipv4Address.TryParse(s.Value, out var a)) return a;
        Error(s, path, $"'{s.Value}' is not an IPv4 address (expected a dotted quad like 10.69.1.1)");
        return null;
    }

    private Ipv4Interface? Cidr(YamlNode node, string path)
    {
        var s = Scalar(node, path, "an address with a prefix length like 10.69.0.1/16");
        if (s is null) return null;
        if (Ipv4Interface.TryParse(s.Value, out var c)) return c;
        Error(s, path, $"'{s.Value}' is not an address with a prefix length (expected ADDRESS/PREFIX like 10.69.0.1/16)");
        return null;
    }

    private MacAddress? Mac(YamlNode node, string path)
    {
        var s = Scalar(node, path, "a MAC address like 84:8f:69:e0:d4:0f");
        if (s is null) return null;
        if (!MacAddress.TryParse(s.Value, out var m))
        {
            Error(s, path, $"'{s.Value}' is not a MAC address (expected six hex pairs like 84:8f:69:e0:d4:0f)");
            return null;
        }
        // No network card has these: a host entry with one would never match a request.
        var why = m == MacAddress.Broadcast ? "the broadcast address"
            : m.IsZero ? "all zeros"
            : m.IsMulticast ? "a multicast address (the lowest bit of its first byte is set)"
            : null;
        if (why is null) return m;
        Error(s, path, $"'{s.Value}' is {why}, not the address of a network card (expected the host's own MAC)");
        return null;
    }

    private TimeSpan? Duration(YamlNode node, string path)
    {
        var s = Scalar(node, path, "a duration like 12h");
        if (s is null) return null;
        if (TryParseDuration(s.Value, out var d, out var tooLong)) return d;
        Error(s, path, tooLong
            ? $"'{s.Value}' is longer than DHCP can carry (expected at most {MaxDurationSeconds / 86400}d, about 136 years)"
            : $"'{s.Value}' is not a duration (expected a number and a unit s, m, h or d, like 12h or 1h30m)");
        return null;
    }

    /// <summary>DHCP carries durations as 32-bit seconds, all ones meaning infinity (RFC 2132 §9.2).</summary>
    internal const long MaxDurationSeconds = uint.MaxValue - 1;

    /// <summary>One or more NUMBER+UNIT parts (s, m, h, d), e.g. <c>90s</c>, <c>12h</c>, <c>1h30m</c>.</summary>
    internal static bool TryParseDuration(string text, out TimeSpan value) => TryParseDuration(text, out value, out _);

    /// <param name="tooLong">Set when the text is a well-formed duration longer than <see cref="MaxDurationSeconds"/>.</param>
    internal static bool TryParseDuration(string text, out TimeSpan value, out bool tooLong)
    {
        value = TimeSpan.Zero;
        tooLong = false;
        long seconds = 0;
        var i = 0;
        if (text.Length == 0) return false;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            if (i == start || i == text.Length) return false;
            var unit = text[i++] switch { 's' => 1L, 'm' => 60L, 'h' => 3600L, 'd' => 86400L, _ => 0L };
            if (unit == 0) return false;
            // Past 12 digits every part is too long by itself; the sum saturates instead of overflowing.
            if (i - 1 - start > 12) tooLong = true;
            else seconds = Math.Min(seconds + long.Parse(text.AsSpan(start, i - 1 - start), CultureInfo.InvariantCulture) * unit, long.MaxValue / 2);
        }
        tooLong |= seconds > MaxDurationSeconds;
        if (tooLong) return false;
        value = TimeSpan.FromSeconds(seconds);
        return true;
    }

    private int? Integer(YamlNode node, string path, string expected, int min, int max)
    {
        var s = Scalar(node, path, expected);
        if (s is null) return null;
        if (!int.TryParse(s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            Error(s, path, $"'{s.Value}' is not a whole number (expected {expected})");
            return null;
        }
        if (n < min || n > max)
        {
            Error(s, path, $"{n} is outside {min}..{max} (expected {expected})");
            return null;
        }
        return n;
    }

    private bool? Boolean(YamlNode node, string path)
    {
        var s = Scalar(node, path, "true or false");
        if (s is null) return null;
        // Quotes never change what a value means (docs/site-file.md): "true" is true, as "8080" is 8080.
        if (s.Value is "true" or "True" or "TRUE") return true;
        if (s.Value is "false" or "False" or "FALSE") return false;
        Error(s, path, $"'{s.Value}' is not a boolean (expected true or false)");
        return null;
    }

    private ImmutableArray<T> List<T>(YamlNode node, string path, string expected, Func<YamlNode, string, T?> item)
        where T : struct
    {
        if (node is YamlSequence seq)
        {
            var result = ImmutableArray.CreateBuilder<T>(seq.Items.Count);
            for (var i = 0; i < seq.Items.Count; i++)
            {
                if (item(seq.Items[i], $"{path}[{i}]") is { } v) result.Add(v);
            }
            return result.ToImmutable();
        }
        // A single value where a list is expected is accepted: "dns: 10.69.0.1" means one server.
        if (node is YamlScalar { IsNull: false } && item(node, path) is { } one) return [one];
        if (node is not YamlScalar { IsNull: false }) Error(node, path, $"expected a list of {expected}, found {node.Describe()}");
        return [];
    }

    private ImmutableArray<string> StringList(YamlNode node, string path, string expected, Func<YamlScalar, string, string?> check)
    {
        var items = node is YamlSequence seq ? seq.Items : node is YamlScalar { IsNull: false } ? [node] : null;
        if (items is null)
        {
            Error(node, path, $"expected a list of {expected}, found {node.Describe()}");
            return [];
        }
        var result = ImmutableArray.CreateBuilder<string>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var p = node is YamlSequence ? $"{path}[{i}]" : path;
            if (Scalar(items[i], p, expected) is { } s && check(s, p) is { } v) result.Add(v);
        }
        return result.ToImmutable();
    }

    private SourceLocation At(YamlNode node) => node.Location;
}
