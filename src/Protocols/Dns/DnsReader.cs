using System.Buffers.Binary;

namespace NetbootPi.Protocols.Dns;

/// <summary>
/// Reads a message front to back over the received bytes. Every read checks its bounds and returns a
/// <see cref="DnsParseError"/> instead of throwing: the bytes come from the network.
/// </summary>
public ref struct DnsReader
{
    // A name is at most 255 bytes, so at most 127 labels; a chain of pointers with no label between them is
    // stopped by requiring each pointer to aim strictly before the previous one, this bound is the backstop.
    private const int MaxPointers = 127;

    private readonly ReadOnlySpan<byte> _packet;

    public DnsReader(ReadOnlySpan<byte> packet)
    {
        _packet = packet;
        Position = 0;
    }

    public int Position { get; private set; }

    public readonly int Remaining => _packet.Length - Position;

    public DnsParseError ReadHeader(out DnsHeader header)
    {
        if (!DnsHeader.TryRead(_packet, out header)) return DnsParseError.TooShort;
        Position = DnsHeader.Size;
        return DnsParseError.None;
    }

    /// <summary>Reads a possibly compressed name at the position into its text form (<see cref="DnsName"/>).</summary>
    public DnsParseError ReadName(out string name)
    {
        var p = Position;
        var e = ReadNameAt(_packet, ref p, out name);
        if (e == DnsParseError.None) Position = p;
        return e;
    }

    /// <summary>Steps over a name without building its text (the same checks as <see cref="ReadName"/>).</summary>
    public DnsParseError SkipName()
    {
        var p = Position;
        var e = WalkName(_packet, ref p, default, out _);
        if (e == DnsParseError.None) Position = p;
        return e;
    }

    internal static DnsParseError ReadNameAt(ReadOnlySpan<byte> packet, ref int position, out string name)
    {
        // At most 255 wire bytes; a byte becomes at most 4 characters (\DDD).
        Span<char> text = stackalloc char[DnsName.MaxLength * 4];
        var e = WalkName(packet, ref position, text, out var length);
        name = e == DnsParseError.None ? new string(text[..length]) : "";
        return e;
    }

    private static DnsParseError WalkName(ReadOnlySpan<byte> packet, ref int position, Span<char> text, out int textLength)
    {
        textLength = 0;
        var p = position;
        var next = -1;        // where reading continues after the name, once the first pointer is taken
        var lastTarget = p;   // each pointer must aim strictly before this (RFC 1035 §4.1.4 allows only prior occurrences)
        var wire = 1;         // the root's zero byte
        var pointers = 0;
        while (true)
        {
            if (p >= packet.Length) return DnsParseError.Overrun;
            var b = packet[p];
            if (b == 0)
            {
                position = next >= 0 ? next : p + 1;
                return DnsParseError.None;
            }
            switch (b & 0xC0)
            {
                case 0xC0:
                    if (p + 1 >= packet.Length) return DnsParseError.Overrun;
                    var target = ((b & 0x3F) << 8) | packet[p + 1];
                    if (next < 0) next = p + 2;
                    if (target >= lastTarget || ++pointers > MaxPointers) return DnsParseError.CompressionLoop;
                    lastTarget = target;
                    p = target;
                    continue;
                case 0x00:
                    if (p + 1 + b > packet.Length) return DnsParseError.Overrun;
                    wire += b + 1;
                    if (wire > DnsName.MaxLength) return DnsParseError.NameTooLong;
                    if (!text.IsEmpty)
                    {
                        if (textLength > 0) text[textLength++] = '.';
                        textLength = DnsName.AppendLabel(packet.Slice(p + 1, b), text, textLength);
                    }
                    p += 1 + b;
                    continue;
                default:
                    // 0x40 and 0x80: extended label types (RFC 6891 §5 retired them); nothing uses them.
                    return DnsParseError.BadLabel;
            }
        }
    }

    public DnsParseError ReadUInt16(out ushort value)
    {
        value = 0;
        if (Remaining < 2) return DnsParseError.Overrun;
        value = BinaryPrimitives.ReadUInt16BigEndian(_packet[Position..]);
        Position += 2;
        return DnsParseError.None;
    }

    public DnsParseError ReadUInt32(out uint value)
    {
        value = 0;
        if (Remaining < 4) return DnsParseError.Overrun;
        value = BinaryPrimitives.ReadUInt32BigEndian(_packet[Position..]);
        Position += 4;
        return DnsParseError.None;
    }

    /// <summary>A question entry: name, type, class (RFC 1035 §4.1.2).</summary>
    public DnsParseError ReadQuestion(out string name, out DnsRecordType type, out ushort @class)
    {
        type = 0;
        @class = 0;
        var e = ReadName(out name);
        if (e != DnsParseError.None) return e;
        if (Remaining < 4) return DnsParseError.Overrun;
        type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(_packet[Position..]);
        @class = BinaryPrimitives.ReadUInt16BigEndian(_packet[(Position + 2)..]);
        Position += 4;
        return DnsParseError.None;
    }

    /// <summary>
    /// A resource record (RFC 1035 §4.1.3) without building its owner's text. Its data is checked against the
    /// type's shape for the types the box reads: the names inside CNAME, NS, PTR, SOA, MX and SRV data are walked
    /// with the same bounds as owner names, since a resolver further on will follow them.
    /// </summary>
    public DnsParseError ReadRecord(out DnsRecordView record)
    {
        record = default;
        var start = Position;
        var e = SkipName();
        if (e != DnsParseError.None) return e;
        if (Remaining < 10) return DnsParseError.Overrun;
        var at = Position;
        var type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(_packet[at..]);
        var @class = BinaryPrimitives.ReadUInt16BigEndian(_packet[(at + 2)..]);
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(_packet[(at + 4)..]);
        var length = BinaryPrimitives.ReadUInt16BigEndian(_packet[(at + 8)..]);
        var data = at + 10;
        if (data + length > _packet.Length) return DnsParseError.Overrun;
        e = CheckData(type, data, length);
        if (e != DnsParseError.None) return e;
        record = new DnsRecordView(start, type, @class, ttl, at + 4, data, length);
        Position = data + length;
        return DnsParseError.None;
    }

    private readonly DnsParseError CheckData(DnsRecordType type, int data, int length)
    {
        var data_ = _packet[..(data + length)];
        var p = data;
        int fixedAfter;
        switch (type)
        {
            case DnsRecordType.A: return length == 4 ? DnsParseError.None : DnsParseError.BadRecordData;
            case DnsRecordType.AAAA: return length == 16 ? DnsParseError.None : DnsParseError.BadRecordData;
            case DnsRecordType.CNAME or DnsRecordType.NS or DnsRecordType.PTR:
                fixedAfter = 0;
                break;
            case DnsRecordType.MX:
                p += 2;
                fixedAfter = 0;
                break;
            case DnsRecordType.SRV:
                p += 6;
                fixedAfter = 0;
                break;
            case DnsRecordType.SOA:
                var e1 = WalkName(data_, ref p, default, out _);
                if (e1 != DnsParseError.None) return e1 == DnsParseError.Overrun ? DnsParseError.BadRecordData : e1;
                fixedAfter = 20;
                break;
            case DnsRecordType.TXT:
                // One or more character strings, each a length byte and that many bytes, filling the data exactly.
                if (length == 0) return DnsParseError.BadRecordData;
                while (p < data + length) p += 1 + _packet[p];
                return p == data + length ? DnsParseError.None : DnsParseError.BadRecordData;
            default:
                return DnsParseError.None;
        }
        if (p >= data + length) return DnsParseError.BadRecordData;
        var e = WalkName(data_, ref p, default, out _);
        if (e != DnsParseError.None) return e == DnsParseError.Overrun ? DnsParseError.BadRecordData : e;
        return p + fixedAfter == data + length ? DnsParseError.None : DnsParseError.BadRecordData;
    }
}
