using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace NetbootPi.Protocols.Net;

/// <summary>An IPv4 address as a host-order 32-bit number, so that ranges and masks are plain arithmetic.</summary>
public readonly struct Ipv4Address : IEquatable<Ipv4Address>, IComparable<Ipv4Address>
{
    public static readonly Ipv4Address Any = new(0);
    public static readonly Ipv4Address Broadcast = new(0xFFFFFFFF);

    public Ipv4Address(uint value) => Value = value;

    public Ipv4Address(byte a, byte b, byte c, byte d) => Value = (uint)(a << 24 | b << 16 | c << 8 | d);

    /// <summary>The address with its first octet in the most significant byte.</summary>
    public uint Value { get; }

    public bool IsAny => Value == 0;

    public static Ipv4Address Read(ReadOnlySpan<byte> source) => new(BinaryPrimitives.ReadUInt32BigEndian(source));

    public void WriteTo(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, Value);

    /// <summary>
    /// Strict dotted-quad: exactly four decimal octets 0..255, no leading zeros (which some tools read as octal),
    /// no hex, no shortened forms — unlike <see cref="IPAddress.TryParse(string, out IPAddress)"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Ipv4Address address)
    {
        address = default;
        uint v = 0;
        var part = 0;
        var i = 0;
        while (part < 4)
        {
            var start = i;
            uint octet = 0;
            while (i < text.Length && text[i] >= '0' && text[i] <= '9' && i - start < 3)
            {
                octet = octet * 10 + (uint)(text[i] - '0');
                i++;
            }
            var digits = i - start;
            if (digits == 0 || octet > 255 || (digits > 1 && text[start] == '0')) return false;
            v = (v << 8) | octet;
            part++;
            if (part < 4)
            {
                if (i >= text.Length || text[i] != '.') return false;
                i++;
            }
        }
        if (i != text.Length) return false;
        address = new Ipv4Address(v);
        return true;
    }

    public static Ipv4Address Parse(string text) =>
        TryParse(text, out var a) ? a : throw new FormatException($"'{text}' is not an IPv4 address");

    public static Ipv4Address FromIPAddress(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        Span<byte> b = stackalloc byte[4];
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || !address.TryWriteBytes(b, out _))
            throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));
        return Read(b);
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> b = stackalloc byte[4];
        WriteTo(b);
        return new IPAddress(b);
    }

    public Ipv4Address Next() => new(Value + 1);

    public override string ToString() =>
        $"{Value >> 24}.{(Value >> 16) & 0xFF}.{(Value >> 8) & 0xFF}.{Value & 0xFF}";

    public bool Equals(Ipv4Address other) => Value == other.Value;
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Ipv4Address a && Equals(a);
    public override int GetHashCode() => (int)Value;
    public int CompareTo(Ipv4Address other) => Value.CompareTo(other.Value);
    public static bool operator ==(Ipv4Address a, Ipv4Address b) => a.Value == b.Value;
    public static bool operator !=(Ipv4Address a, Ipv4Address b) => a.Value != b.Value;
    public static bool operator <(Ipv4Address a, Ipv4Address b) => a.Value < b.Value;
    public static bool operator >(Ipv4Address a, Ipv4Address b) => a.Value > b.Value;
    public static bool operator <=(Ipv4Address a, Ipv4Address b) => a.Value <= b.Value;
    public static bool operator >=(Ipv4Address a, Ipv4Address b) => a.Value >= b.Value;
}
