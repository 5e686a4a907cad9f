using System.Diagnostics.CodeAnalysis;

namespace NetbootPi.Protocols.Net;

/// <summary>An IPv4 prefix such as 10.69.0.0/16; the address is always the network address.</summary>
public readonly struct Ipv4Network : IEquatable<Ipv4Network>
{
    public Ipv4Network(Ipv4Address address, int prefixLength)
    {
        if ((uint)prefixLength > 32) throw new ArgumentOutOfRangeException(nameof(prefixLength));
        PrefixLength = prefixLength;
        Address = new Ipv4Address(address.Value & MaskFor(prefixLength));
    }

    public Ipv4Address Address { get; }
    public int PrefixLength { get; }
    public Ipv4Address Mask => new(MaskFor(PrefixLength));
    public Ipv4Address BroadcastAddress => new(Address.Value | ~MaskFor(PrefixLength));
    public Ipv4Address First => Address;
    public Ipv4Address Last => BroadcastAddress;

    /// <summary>
    /// True when this prefix has a distinct network and broadcast address that no host may use
    /// (not for /31 point-to-point links, RFC 3021, nor /32).
    /// </summary>
    public bool HasReservedEnds => PrefixLength <= 30;

    public bool Contains(Ipv4Address address) => (address.Value & MaskFor(PrefixLength)) == Address.Value;

    public bool Overlaps(Ipv4Network other) => Contains(other.Address) || other.Contains(Address);

    private static uint MaskFor(int prefix) => prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);

    public static bool TryParse(ReadOnlySpan<char> text, out Ipv4Network network)
    {
        network = default;
        if (!Ipv4Interface.TryParse(text, out var cidr)) return false;
        network = cidr.Network;
        return true;
    }

    public override string ToString() => $"{Address}/{PrefixLength}";
    public bool Equals(Ipv4Network other) => Address == other.Address && PrefixLength == other.PrefixLength;
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Ipv4Network n && Equals(n);
    public override int GetHashCode() => HashCode.Combine(Address, PrefixLength);
    public static bool operator ==(Ipv4Network a, Ipv4Network b) => a.Equals(b);
    public static bool operator !=(Ipv4Network a, Ipv4Network b) => !a.Equals(b);
}
