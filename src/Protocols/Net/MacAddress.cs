using System.Diagnostics.CodeAnalysis;

namespace NetbootPi.Protocols.Net;

/// <summary>How a <see cref="MacAddress"/> is written out.</summary>
public enum MacFormat
{
    /// <summary><c>84:8f:69:e0:d4:0f</c> — the canonical form (iPXE <c>${net0/mac}</c>, Alpine <c>{MAC}</c>).</summary>
    Colon,
    /// <summary><c>84-8f-69-e0-d4-0f</c> — iPXE <c>${net0/mac:hexhyp}</c>, PXELINUX file names.</summary>
    Hyphen,
    /// <summary><c>848f69e0d40f</c>.</summary>
    Bare,
}

/// <summary>An IEEE 802 48-bit hardware address.</summary>
public readonly struct MacAddress : IEquatable<MacAddress>, IComparable<MacAddress>
{
    public const int Length = 6;

    private readonly ulong _value; // the six octets, most significant first, in the low 48 bits

    private MacAddress(ulong value) => _value = value;

    /// <summary>ff:ff:ff:ff:ff:ff.</summary>
    public static readonly MacAddress Broadcast = new(0xFFFF_FFFF_FFFF);

    /// <summary>00:00:00:00:00:00, which no card has.</summary>
    public bool IsZero => _value == 0;

    /// <summary>A group address (IEEE 802: the lowest bit of the first octet), broadcast included.</summary>
    public bool IsMulticast => (_value & 0x0100_0000_0000) != 0;

    public static MacAddress FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
            throw new ArgumentException($"a MAC address has {Length} bytes, got {bytes.Length}", nameof(bytes));
        ulong v = 0;
        foreach (var b in bytes) v = (v << 8) | b;
        return new MacAddress(v);
    }

    public void WriteTo(Span<byte> destination)
    {
        for (var i = 0; i < Length; i++)
            destination[i] = (byte)(_value >> (8 * (Length - 1 - i)));
    }

    public byte this[int index] => (uint)index < Length
        ? (byte)(_value >> (8 * (Length - 1 - index)))
        : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>True when the first three octets (the OUI) equal <paramref name="oui"/> (e.g. 0xB827EB).</summary>
    public bool HasOui(uint oui) => (uint)(_value >> 24) == (oui & 0xFFFFFF);

    /// <summary>
    /// Accepts six hex pairs separated by ':' or '-' (one separator throughout) or twelve bare hex digits, any case.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out MacAddress mac)
    {
        mac = default;
        ulong v = 0;
        if (text.Length == 12)
        {
            foreach (var c in text)
            {
                var h = HexValue(c);
                if (h < 0) return false;
                v = (v << 4) | (uint)h;
            }
            mac = new MacAddress(v);
            return true;
        }
        if (text.Length != 17) return false;
        var sep = text[2];
        if (sep != ':' && sep != '-') return false;
        for (var i = 0; i < Length; i++)
        {
            var hi = HexValue(text[3 * i]);
            var lo = HexValue(text[3 * i + 1]);
            if (hi < 0 || lo < 0) return false;
            if (i < Length - 1 && text[3 * i + 2] != sep) return false;
            v = (v << 8) | (uint)(hi << 4 | lo);
        }
        mac = new MacAddress(v);
        return true;
    }

    public static MacAddress Parse(string text) =>
        TryParse(text, out var mac) ? mac : throw new FormatException($"'{text}' is not a MAC address");

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    public string ToString(MacFormat format)
    {
        var sep = format switch { MacFormat.Colon => ':', MacFormat.Hyphen => '-', _ => '\0' };
        var len = sep == '\0' ? 12 : 17;
        return string.Create(len, (_value, sep), static (span, state) =>
        {
            const string hex = "0123456789abcdef";
            var p = 0;
            for (var i = 0; i < Length; i++)
            {
                var b = (byte)(state._value >> (8 * (Length - 1 - i)));
                if (i > 0 && state.sep != '\0') span[p++] = state.sep;
                span[p++] = hex[b >> 4];
                span[p++] = hex[b & 0xF];
            }
        });
    }

    public override string ToString() => ToString(MacFormat.Colon);

    public bool Equals(MacAddress other) => _value == other._value;
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is MacAddress m && Equals(m);
    public override int GetHashCode() => _value.GetHashCode();
    public int CompareTo(MacAddress other) => _value.CompareTo(other._value);
    public static bool operator ==(MacAddress a, MacAddress b) => a.Equals(b);
    public static bool operator !=(MacAddress a, MacAddress b) => !a.Equals(b);
}
