namespace NetbootPi.Protocols.Dns;

/// <summary>
/// A received query: its header, its one question and its EDNS0 OPT record if any (RFC 6891). One instance is
/// reused per receive loop; <see cref="Parse"/> overwrites every field.
/// </summary>
public sealed class DnsQuery
{
    /// <summary>What a client that sends no OPT record can take over UDP (RFC 1035 §4.2.1).</summary>
    public const int ClassicUdpSize = 512;

    public DnsHeader Header { get; private set; }
    public string Name { get; private set; } = "";
    public DnsRecordType Type { get; private set; }
    public ushort Class { get; private set; }

    /// <summary>True when the query has an OPT record.</summary>
    public bool HasEdns { get; private set; }
    public byte EdnsVersion { get; private set; }
    /// <summary>The DO bit (RFC 3225): the client wants DNSSEC records; the box signs nothing, it only passes it on.</summary>
    public bool DnssecOk { get; private set; }
    /// <summary>The UDP payload size the client says it can take, at least 512 (RFC 6891 §6.2.5).</summary>
    public int UdpPayloadSize { get; private set; }

    /// <summary>True once the header could be read: a malformed query can still be answered FORMERR with its id.</summary>
    public bool HasHeader { get; private set; }

    public DnsParseError Parse(ReadOnlySpan<byte> packet)
    {
        HasHeader = false;
        HasEdns = false;
        DnssecOk = false;
        EdnsVersion = 0;
        UdpPayloadSize = ClassicUdpSize;
        Name = "";
        Type = 0;
        Class = 0;
        var reader = new DnsReader(packet);
        var e = reader.ReadHeader(out var header);
        Header = header;
        if (e != DnsParseError.None) return e;
        HasHeader = true;
        if (header.IsResponse) return DnsParseError.WrongDirection;
        if (header.QuestionCount != 1) return DnsParseError.BadQuestionCount;
        e = reader.ReadQuestion(out var name, out var type, out var @class);
        if (e != DnsParseError.None) return e;
        (Name, Type, Class) = (name, type, @class);

        // A query carries no answers, but updates and notifies do; read every record so the counts are checked.
        var records = header.AnswerCount + header.AuthorityCount + header.AdditionalCount;
        var additionalFrom = header.AnswerCount + header.AuthorityCount;
        for (var i = 0; i < records; i++)
        {
            e = reader.ReadRecord(out var r);
            if (e != DnsParseError.None) return e;
            if (r.Type != DnsRecordType.OPT) continue;
            // RFC 6891 §6.1.1: at most one, in the additional section, owned by the root.
            if (HasEdns || i < additionalFrom || packet[r.Start] != 0) return DnsParseError.BadOpt;
            HasEdns = true;
            UdpPayloadSize = Math.Max((int)r.Class, ClassicUdpSize);
            EdnsVersion = (byte)(r.Ttl >> 16);
            DnssecOk = (r.Ttl & 0x8000) != 0;
        }
        return reader.Remaining == 0 ? DnsParseError.None : DnsParseError.TrailingData;
    }
}
