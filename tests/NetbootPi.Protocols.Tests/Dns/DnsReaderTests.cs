using NetbootPi.Protocols.Dns;

namespace NetbootPi.Protocols.Tests.Dns;

public class DnsReaderTests
{
    [Fact]
    public void Query_with_edns_reads_question_and_opt()
    {
        var q = new DnsQuery();
        Assert.Equal(DnsParseError.None, q.Parse(DnsVectors.QueryWithEdns()));
        Assert.Equal(0xBEEF, q.Header.Id);
        Assert.True(q.Header.RecursionDesired);
        Assert.Equal("shoe.netsoc.internal", q.Name);
        Assert.Equal(DnsRecordType.A, q.Type);
        Assert.Equal(1, q.Class);
        Assert.True(q.HasEdns);
        Assert.True(q.DnssecOk);
        Assert.Equal(1232, q.UdpPayloadSize);
    }

    [Fact]
    public void Query_without_edns_gets_512_and_keeps_case()
    {
        var q = new DnsQuery();
        Assert.Equal(DnsParseError.None, q.Parse(DnsVectors.Query()));
        Assert.False(q.HasEdns);
        Assert.Equal(512, q.UdpPayloadSize);
        Assert.Equal("NaPaLm.NetSoc.Internal", q.Name);
    }

    [Fact]
    public void Edns_size_below_512_counts_as_512()
    {
        var p = DnsVectors.QueryWithEdns();
        p[^8] = 0x00; // UDP payload size 0x00D0 = 208
        var q = new DnsQuery();
        Assert.Equal(DnsParseError.None, q.Parse(p));
        Assert.Equal(512, q.UdpPayloadSize);
    }

    [Theory]
    [InlineData(new byte[0], DnsParseError.TooShort)]
    [InlineData(new byte[] { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0 }, DnsParseError.TooShort)] // 11 bytes
    [InlineData(new byte[] { 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, DnsParseError.BadQuestionCount)] // no question
    [InlineData(new byte[] { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0 }, DnsParseError.Overrun)] // a question promised, none there
    [InlineData(new byte[] { 0, 1, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1 }, DnsParseError.WrongDirection)] // QR set
    public void Bad_headers(byte[] packet, DnsParseError expected) => Assert.Equal(expected, new DnsQuery().Parse(packet));

    [Fact]
    public void Compression_pointer_to_itself_is_a_loop() =>
        // QNAME at 12 is a pointer to 12.
        Assert.Equal(DnsParseError.CompressionLoop, new DnsQuery().Parse(DnsVectors.WithQuestion(0xC0, 0x0C, 0, 1, 0, 1)));

    [Fact]
    public void Compression_pointers_that_chase_each_other_are_a_loop() =>
        // 12: label "a", then a pointer to 12 again: "a.a.a.a..." if followed.
        Assert.Equal(DnsParseError.CompressionLoop, new DnsQuery().Parse(DnsVectors.WithQuestion(1, (byte)'a', 0xC0, 0x0C, 0, 1, 0, 1)));

    [Fact]
    public void Forward_pointer_is_refused() =>
        // 12: pointer to 16, which holds "\0": a pointer must aim at something before it.
        Assert.Equal(DnsParseError.CompressionLoop, new DnsQuery().Parse(DnsVectors.WithQuestion(0xC0, 0x10, 0, 1, 0, 0, 1)));

    [Fact]
    public void Label_over_63_bytes_is_refused() =>
        // 0x40: the label-type bits 01, i.e. a length of 64 read as a label type RFC 6891 retired.
        Assert.Equal(DnsParseError.BadLabel, new DnsQuery().Parse(DnsVectors.WithQuestion([0x40, .. new byte[64], 0, 0, 1, 0, 1])));

    [Fact]
    public void Name_over_255_bytes_is_refused()
    {
        // Five labels of 63: 5 * 64 + 1 = 321 bytes on the wire.
        var name = Enumerable.Range(0, 5).SelectMany(_ => new byte[] { 63 }.Concat(Enumerable.Repeat((byte)'x', 63))).ToArray();
        Assert.Equal(DnsParseError.NameTooLong, new DnsQuery().Parse(DnsVectors.WithQuestion([.. name, 0, 0, 1, 0, 1])));
    }

    [Fact]
    public void Name_of_exactly_255_bytes_is_read()
    {
        // Three labels of 63, one of 61: 3 * 64 + 62 + 1 = 255.
        var name = Enumerable.Range(0, 3).SelectMany(_ => new byte[] { 63 }.Concat(Enumerable.Repeat((byte)'x', 63)))
            .Concat([(byte)61, .. Enumerable.Repeat((byte)'y', 61)]).ToArray();
        var q = new DnsQuery();
        Assert.Equal(DnsParseError.None, q.Parse(DnsVectors.WithQuestion([.. name, 0, 0, 1, 0, 1])));
        Assert.Equal(253, q.Name.Length);
    }

    [Fact]
    public void Counts_that_overrun_the_packet_are_refused()
    {
        var p = DnsVectors.Query();
        p[11] = 200; // ARCOUNT 200, no records follow
        Assert.Equal(DnsParseError.Overrun, new DnsQuery().Parse(p));
    }

    [Fact]
    public void Truncated_question_is_an_overrun()
    {
        var p = DnsVectors.Query();
        Assert.Equal(DnsParseError.Overrun, new DnsQuery().Parse(p.AsSpan(0, p.Length - 2)));
    }

    [Fact]
    public void Trailing_bytes_are_refused() =>
        Assert.Equal(DnsParseError.TrailingData, new DnsQuery().Parse([.. DnsVectors.Query(), 0xFF]));

    [Fact]
    public void Two_opt_records_are_refused()
    {
        var p = DnsVectors.QueryWithEdns();
        var opt = p[^11..];
        p[11] = 2;
        Assert.Equal(DnsParseError.BadOpt, new DnsQuery().Parse([.. p, .. opt]));
    }

    [Fact]
    public void Label_bytes_that_are_not_printable_are_escaped()
    {
        var q = new DnsQuery();
        Assert.Equal(DnsParseError.None, q.Parse(DnsVectors.WithQuestion(3, (byte)'a', (byte)'.', 0x07, 1, (byte)'b', 0, 0, 1, 0, 1)));
        Assert.Equal(@"a\.\007.b", q.Name);
        Span<byte> wire = stackalloc byte[16];
        Assert.Equal(7, DnsName.Encode(q.Name, wire));
        Assert.Equal(new byte[] { 3, (byte)'a', (byte)'.', 7, 1, (byte)'b', 0 }, wire[..7].ToArray());
    }

    [Fact]
    public void Upstream_response_scan_finds_ttls_and_opt()
    {
        var s = new DnsResponseScan();
        var p = DnsVectors.UpstreamResponse();
        Assert.Equal(DnsParseError.None, s.Scan(p));
        Assert.Equal("example.com", s.Name);
        Assert.Equal(29, s.QuestionEnd);
        Assert.Equal(300u, s.MinAnswerTtl);
        Assert.Equal(new[] { 35, 51 }, s.TtlOffsets);
        Assert.Equal(p.Length - 11, s.OptStart);
        Assert.True(s.OptIsLast);
        Assert.Null(s.NegativeTtl);
    }

    [Fact]
    public void Negative_ttl_is_the_lesser_of_soa_ttl_and_minimum()
    {
        var s = new DnsResponseScan();
        Assert.Equal(DnsParseError.None, s.Scan(DnsVectors.UpstreamNxDomain()));
        Assert.Equal(DnsResponseCode.NameError, s.Header.ResponseCode);
        Assert.Equal(60u, s.NegativeTtl);
    }

    [Fact]
    public void A_record_with_five_bytes_of_data_is_refused()
    {
        var p = DnsVectors.UpstreamResponse();
        p[40] = 5; // RDLENGTH of the A record
        Assert.Equal(DnsParseError.BadRecordData, new DnsResponseScan().Scan(p));
    }

    [Fact]
    public void Name_in_record_data_with_a_loop_is_refused()
    {
        var p = DnsVectors.UpstreamResponse();
        // The NS data's pointer (at 59, after the label "a") aims at itself instead of the question.
        p[59] = 0xC0;
        p[60] = 59;
        Assert.Equal(DnsParseError.CompressionLoop, new DnsResponseScan().Scan(p));
    }
}
