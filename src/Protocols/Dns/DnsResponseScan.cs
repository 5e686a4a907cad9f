using System.Buffers.Binary;

namespace NetbootPi.Protocols.Dns;

/// <summary>
/// A response from an upstream resolver, checked record by record and remembered as offsets: the forwarder
/// passes the bytes on (and caches them) without decoding and re-encoding every record, editing only the id, the
/// question's spelling, the TTLs and the OPT record in place. Reused: <see cref="Scan"/> overwrites everything.
/// </summary>
public sealed class DnsResponseScan
{
    private readonly List<int> _ttlOffsets = [];

    public DnsHeader Header { get; private set; }
    public string Name { get; private set; } = "";
    public DnsRecordType Type { get; private set; }
    public ushort Class { get; private set; }

    /// <summary>Where the question's name starts and where the question ends.</summary>
    public int QuestionStart => DnsHeader.Size;
    public int QuestionEnd { get; private set; }

    /// <summary>Where the additional section starts (the message's end when it is empty).</summary>
    public int AdditionalStart { get; private set; }

    /// <summary>The OPT record's first byte, or -1; and whether it is the message's last record.</summary>
    public int OptStart { get; private set; } = -1;
    public bool OptIsLast { get; private set; }

    /// <summary>The TTL fields of every record but OPT (whose TTL field holds flags), to age a cached copy.</summary>
    public IReadOnlyList<int> TtlOffsets => _ttlOffsets;

    /// <summary>The smallest TTL of the answer section; <see cref="uint.MaxValue"/> when it is empty.</summary>
    public uint MinAnswerTtl { get; private set; }

    /// <summary>
    /// How long a negative answer may be cached: the lesser of the authority SOA's TTL and its MINIMUM field
    /// (RFC 2308 §5); null when there is no SOA, and then it is not cached (§5: "SHOULD NOT be cached").
    /// </summary>
    public uint? NegativeTtl { get; private set; }

    public DnsParseError Scan(ReadOnlySpan<byte> packet)
    {
        _ttlOffsets.Clear();
        OptStart = -1;
        OptIsLast = false;
        NegativeTtl = null;
        MinAnswerTtl = uint.MaxValue;
        Name = "";
        var reader = new DnsReader(packet);
        var e = reader.ReadHeader(out var header);
        Header = header;
        if (e != DnsParseError.None) return e;
        if (!header.IsResponse) return DnsParseError.WrongDirection;
        if (header.QuestionCount != 1) return DnsParseError.BadQuestionCount;
        e = reader.ReadQuestion(out var name, out var type, out var @class);
        if (e != DnsParseError.None) return e;
        (Name, Type, Class, QuestionEnd) = (name, type, @class, reader.Position);
        var authorityFrom = header.AnswerCount;
        var additionalFrom = header.AnswerCount + header.AuthorityCount;
        var records = additionalFrom + header.AdditionalCount;
        AdditionalStart = -1;
        for (var i = 0; i < records; i++)
        {
            if (i == additionalFrom) AdditionalStart = reader.Position;
            e = reader.ReadRecord(out var r);
            if (e != DnsParseError.None) return e;
            if (r.Type == DnsRecordType.OPT)
            {
                if (OptStart >= 0 || i < additionalFrom || packet[r.Start] != 0) return DnsParseError.BadOpt;
                OptStart = r.Start;
                OptIsLast = i == records - 1;
                continue;
            }
            _ttlOffsets.Add(r.TtlOffset);
            if (i < authorityFrom) MinAnswerTtl = Math.Min(MinAnswerTtl, r.Ttl);
            else if (i < additionalFrom && r.Type == DnsRecordType.SOA)
            {
                var minimum = BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(r.End - 4, 4));
                NegativeTtl = Math.Min(r.Ttl, minimum);
            }
        }
        if (AdditionalStart < 0) AdditionalStart = reader.Position;
        return reader.Remaining == 0 ? DnsParseError.None : DnsParseError.TrailingData;
    }
}
