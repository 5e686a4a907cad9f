using NetbootPi.Protocols.Dns;

namespace NetbootPi.Fuzz.Targets;

/// <summary>
/// DNS queries (<see cref="DnsQuery"/>) and upstream responses (<see cref="DnsResponseScan"/>): a query that
/// parses writes again as a question (with its OPT record) and parses to the same name, type, class and EDNS
/// offer; a scan's offsets stay inside the message.
/// </summary>
public sealed class DnsTarget : FuzzTarget
{
    private readonly DnsQuery _query = new();
    private readonly DnsQuery _again = new();
    private readonly DnsResponseScan _scan = new();
    private readonly DnsMessageWriter _writer = new();

    public override string Name => "dns";

    public override IEnumerable<KeyValuePair<string, byte[]>> Seeds()
    {
        (string Name, string Qname, DnsRecordType Type, bool Edns)[] queries =
        [
            ("a-edns", "shoe.netsoc.internal", DnsRecordType.A, true),
            ("srv", "_http._tcp.netsoc.internal", (DnsRecordType)33, false),
            ("ptr", "10.0.10.10.in-addr.arpa", (DnsRecordType)12, true),
            ("aaaa-mixed-case", "NaPaLm.NetSoc.Internal", (DnsRecordType)28, false),
        ];
        foreach (var q in queries)
        {
            _writer.Begin(0x1234, DnsHeader.RecursionDesiredFlag, DnsMessageWriter.MaxMessageSize);
            _writer.TryWriteQuestion(q.Qname, q.Type, 1);
            if (q.Edns) _writer.TryWriteOpt(1232, DnsResponseCode.NoError, dnssecOk: true);
            yield return new(q.Name, _writer.Written.ToArray());
        }
        // An upstream's answer for example.com A, compressed against the question, with an NS and an OPT record.
        yield return new("upstream-response",
        [
            0x44, 0x55, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01,
            7, .. "example"u8, 3, .. "com"u8, 0, 0x00, 0x01, 0x00, 0x01,
            0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2C, 0x00, 0x04, 93, 184, 216, 34,
            0xC0, 0x0C, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x0E, 0x10, 0x00, 0x04, 1, (byte)'a', 0xC0, 0x0C,
            0, 0x00, 0x29, 0x10, 0x00, 0, 0, 0, 0, 0, 0,
        ]);
    }

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length > DnsMessageWriter.MaxMessageSize) input = input[..DnsMessageWriter.MaxMessageSize];
        var before = GC.GetAllocatedBytesForCurrentThread();
        var scanned = _scan.Scan(input);
        var error = _query.Parse(input);
        // Names as strings (at most 255 characters each) and the scan's TTL offsets, a few per record.
        CheckAllocation("DNS parse", before, input.Length, 8192, 16);
        if (scanned == DnsParseError.None)
        {
            Require(_scan.QuestionEnd <= input.Length && _scan.AdditionalStart <= input.Length && _scan.OptStart < input.Length,
                "the response scan points past the message");
            foreach (var ttl in _scan.TtlOffsets)
                Require(ttl >= DnsHeader.Size && ttl + 4 <= input.Length, $"a TTL offset {ttl} outside a {input.Length}-byte message");
        }
        if (error != DnsParseError.None) return;

        _writer.Begin(_query.Header.Id, DnsHeader.RecursionDesiredFlag, DnsMessageWriter.MaxMessageSize);
        Require(_writer.TryWriteQuestion(_query.Name, _query.Type, _query.Class), $"the question '{_query.Name}' does not write again");
        if (_query.HasEdns)
            Require(_writer.TryWriteOpt((ushort)_query.UdpPayloadSize, DnsResponseCode.NoError, _query.DnssecOk), "the OPT record does not write again");
        var again = _again.Parse(_writer.Written);
        Require(again == DnsParseError.None, $"a written question does not parse: {again}");
        Require(_again.Name == _query.Name && _again.Type == _query.Type && _again.Class == _query.Class,
            $"the question '{_query.Name}' reads back as '{_again.Name}'");
        Require(_again.HasEdns == _query.HasEdns && _again.UdpPayloadSize == _query.UdpPayloadSize && _again.DnssecOk == _query.DnssecOk,
            "the EDNS offer differs after writing and parsing again");
    }
}
