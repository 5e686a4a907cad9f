using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

// media: the image catalog's size limit and the addresses downloads may reach despite their kind (docs/media.md).
internal sealed partial class SiteReader
{
    private static readonly string[] MediaKeys = ["max_size", "fetch_allow"];

    private MediaSettings? ReadMedia(YamlNode node)
    {
        if (node is YamlScalar { IsNull: true }) return MediaSettings.Default;
        var m = Mapping(node, "media", "a mapping with max_size (like 8G) and fetch_allow (addresses or prefixes, like [127.0.0.1, fd00::/64])", MediaKeys);
        if (m is null) return null;
        var before = _errors.Count;
        var max = MediaSettings.DefaultMaxImageBytes;
        if (m.TryGetValue("max_size", out var ms) && Scalar(ms, "media.max_size", "a size like 8G, 700M or 4096K") is { } s)
        {
            if (TryParseSize(s.Value, out var bytes) && bytes > 0) max = bytes;
            else Error(s, "media.max_size", $"'{s.Value}' is not a size (expected a whole number of bytes, or with K, M, G or T (powers of 1024), like 8G)");
        }
        var allow = m.TryGetValue("fetch_allow", out var fa)
            ? StringList(fa, "media.fetch_allow", "addresses or prefixes", (v, p) => IPNetworkText(v, p))
            : [];
        if (_errors.Count != before) return null;
        return new MediaSettings(max, [.. allow.Select(a => IPNetwork.Parse(a))], node.Location);
    }

    /// <summary>An address (a prefix of its full length) or ADDRESS/PREFIX, IPv4 or IPv6, as its canonical text.</summary>
    private string? IPNetworkText(YamlScalar s, string path)
    {
        var text = s.Value.Trim();
        if (!text.Contains('/') && IPAddress.TryParse(text, out var single))
            return $"{single}/{(single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)}";
        // The runtime clears host bits it is given; a prefix written with them set is a typo worth saying.
        if (IPNetwork.TryParse(text, out var network) && IPAddress.TryParse(text[..text.IndexOf('/')], out var written) && written.Equals(network.BaseAddress))
            return network.ToString();
        Error(s, path, $"'{s.Value}' is not an address or prefix (expected an IPv4 or IPv6 address, or ADDRESS/LENGTH with no host bits set, like 127.0.0.1 or 10.9.0.0/16)");
        return null;
    }

    /// <summary>Bytes, or a whole number with K, M, G or T (powers of 1024); false when it is not one or overflows.</summary>
    internal static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        text = text.Trim();
        if (text.Length == 0) return false;
        var shift = char.ToUpperInvariant(text[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 };
        var digits = shift == 0 ? text : text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
        if (n > long.MaxValue >> shift) return false;
        bytes = n << shift;
        return true;
    }
}
