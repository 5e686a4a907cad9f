using System.Diagnostics.CodeAnalysis;

namespace NetbootPi.Protocols.Net;

/// <summary>An address with its prefix length, as written in CIDR notation on an interface: 10.69.0.1/16.</summary>
public readonly struct Ipv4Interface : IEquatable<Ipv4Interface>
{
    public Ipv4Interface(Ipv4Address address, int prefixLength)
    {
        Address = address;
        Network = new Ipv4Network(address, prefixLength);
    }

    public Ipv4Address Address { get; }
    public Ipv4Network Network { get; }
    public int PrefixLength => Network.PrefixLength;

    public static bool TryParse(ReadOnlySpan<char> text, out Ipv4Interface value)
    {
        value = default;
        var slash = text.IndexOf('/');
        if (slash < 0) return false;
        var prefixText = text[(slash + 1)..];
        if (prefixText.Length is 0 or > 2 || (prefixText.Length == 2 && prefixText[0] == '0')) return false;
        var prefix = 0;
        foreach (var c in prefixText)
        {
            if (c < '0' || c > '9') return false;
            prefix = prefix * 10 + (c - '0');
        }
        if (prefix > 32 || !Ipv4Address.TryParse(text[..slash], out var address)) return false;
        value = new Ipv4Interface(address, prefix);
        return true;
    }

    public override string ToString() => $"{Address}/{PrefixLength}";
    public bool Equals(Ipv4Interface other) => Address == other.Address && PrefixLength == other.PrefixLength;
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Ipv4Interface n && Equals(n);
    public override int GetHashCode() => HashCode.Combine(Address, PrefixLength);
}
