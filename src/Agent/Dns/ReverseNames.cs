using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Dns;

/// <summary>The in-addr.arpa names of addresses and networks (RFC 1035 §3.5).</summary>
public static class ReverseNames
{
    /// <summary><c>10.69.1.1</c> → <c>1.1.69.10.in-addr.arpa</c>.</summary>
    public static string Of(Ipv4Address address)
    {
        var v = address.Value;
        return $"{v & 0xFF}.{(v >> 8) & 0xFF}.{(v >> 16) & 0xFF}.{v >> 24}.in-addr.arpa";
    }

    /// <summary>
    /// The reverse zone that holds a network: its prefix rounded down to whole octets (10.69.0.0/16 →
    /// <c>69.10.in-addr.arpa</c>, 10.69.16.0/20 → the same /16). Null for a prefix shorter than /8, which no site
    /// should claim the reverse names of.
    /// </summary>
    public static string? ZoneOf(Ipv4Network network)
    {
        var octets = network.PrefixLength / 8;
        if (octets == 0) return null;
        var v = network.Address.Value;
        var parts = new string[octets];
        for (var i = 0; i < octets; i++) parts[octets - 1 - i] = ((v >> (24 - 8 * i)) & 0xFF).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return string.Join('.', parts) + ".in-addr.arpa";
    }
}
