using NetbootPi.Protocols.Dns;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Tests.Dns;

public class DnsWriterTests
{
    [Fact]
    public void Answer_owner_is_compressed_against_the_question_and_keeps_its_case()
    {
        var w = new DnsMessageWriter();
        w.Begin(0x1234, DnsHeader.ResponseFlag | DnsHeader.AuthoritativeFlag, 512);
        Assert.True(w.TryWriteQuestion("NaPaLm.NetSoc.Internal", DnsRecordType.A, 1));
        Assert.True(w.TryWriteRecord(DnsSection.Answer, DnsRecord.A("napalm.netsoc.internal", 60, Ipv4Address.Parse("10.69.1.1"))));
        byte[] expected =
        [
            0x12, 0x34, 0x84, 0x00, 0, 1, 0, 1, 0, 0, 0, 0, // id, QR AA, QD 1, AN 1
            6, .. "NaPaLm"u8, 6, .. "NetSoc"u8, 8, .. "Internal"u8, 0, 0, 1, 0, 1, // question as asked
            0xC0, 0x0C,                                     // owner: pointer to the question
            0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 69, 1, 1,    // A IN TTL 60, 10.69.1.1
        ];
        Assert.Equal(expected, w.Written.ToArray());
    }

    [Fact]
    public void Every_record_type_round_trips_through_the_reader()
    {
        var w = new DnsMessageWriter();
        w.Begin(7, DnsHeader.ResponseFlag, DnsMessageWriter.MaxMessageSize);
        Assert.True(w.TryWriteQuestion("netsoc.internal", DnsRecordType.ANY, 1));
        DnsRecord[] records =
        [
            DnsRecord.A("netsoc.internal", 60, Ipv4Address.Parse("10.69.0.1")),
            DnsRecord.Aaaa("netsoc.internal", 60, new byte[16]),
            DnsRecord.Cname("shoe.netsoc.internal", 60, "napalm.netsoc.internal"),
            DnsRecord.Ptr("1.1.69.10.in-addr.arpa", 60, "napalm.netsoc.internal"),
            DnsRecord.Ns("netsoc.internal", 60, "netbootpi.netsoc.internal"),
            DnsRecord.Txt("netsoc.internal", 60, ["v=1", "héllo"]),
            DnsRecord.Srv("_http._tcp.netsoc.internal", 60, 10, 5, 80, "shoe.netsoc.internal"),
            DnsRecord.Soa("netsoc.internal", 60, "netbootpi.netsoc.internal", "hostmaster.netsoc.internal", 9, 3600, 600, 86400, 60),
        ];
        foreach (var r in records) Assert.True(w.TryWriteRecord(DnsSection.Answer, r));
        Assert.True(w.TryWriteOpt(1232, DnsResponseCode.NoError, dnssecOk: false));

        var scan = new DnsResponseScan();
        Assert.Equal(DnsParseError.None, scan.Scan(w.Written));
        Assert.Equal(records.Length, scan.Header.AnswerCount);
        Assert.Equal(1, scan.Header.AdditionalCount);
        Assert.True(scan.OptIsLast);
        Assert.Equal(60u, scan.MinAnswerTtl);
        var reader = new DnsReader(w.Written);
        reader.ReadHeader(out _);
        reader.ReadQuestion(out _, out _, out _);
        foreach (var r in records)
        {
            Assert.Equal(DnsParseError.None, reader.ReadRecord(out var view));
            Assert.Equal(r.Type, view.Type);
            var at = view.Start;
            Assert.Equal(DnsParseError.None, DnsReader.ReadNameAt(w.Written, ref at, out var owner));
            Assert.Equal(r.Name, owner);
        }
    }

    [Fact]
    public void Record_that_does_not_fit_is_not_written()
    {
        var w = new DnsMessageWriter();
        w.Begin(1, DnsHeader.ResponseFlag, 40);
        Assert.True(w.TryWriteQuestion("a.example", DnsRecordType.TXT, 1));
        var before = w.Length;
        Assert.False(w.TryWriteRecord(DnsSection.Answer, DnsRecord.Txt("a.example", 60, [new string('x', 100)])));
        Assert.Equal(before, w.Length);
        Assert.Equal(0, w.Header.AnswerCount);
        Assert.Equal(DnsParseError.None, new DnsResponseScan().Scan(w.Written));
    }

    [Theory]
    [InlineData("a..b")]
    [InlineData(".a")]
    [InlineData("a.")]
    [InlineData(@"a\")]
    [InlineData(@"a\25")]
    [InlineData(@"a\256")]
    public void Text_that_is_no_name_does_not_encode(string text) => Assert.Equal(-1, DnsName.Encode(text, new byte[300]));

    [Fact]
    public void Label_of_64_does_not_encode() => Assert.Equal(-1, DnsName.Encode(new string('x', 64), new byte[300]));

    [Fact]
    public void Name_over_255_does_not_encode() =>
        Assert.Equal(-1, DnsName.Encode(string.Join('.', Enumerable.Repeat(new string('x', 63), 4)), new byte[300]));

    [Theory]
    [InlineData("napalm.netsoc.internal", "netsoc.internal", true)]
    [InlineData("NAPALM.Netsoc.Internal", "netsoc.internal", true)]
    [InlineData("netsoc.internal", "netsoc.internal", true)]
    [InlineData("xnetsoc.internal", "netsoc.internal", false)]
    [InlineData(@"a\.netsoc.internal", "netsoc.internal", false)] // one label "a.netsoc", then "internal"
    [InlineData(@"a\.internal", "internal", false)]
    [InlineData("anything", "", true)]
    public void Zone_membership(string name, string zone, bool expected) => Assert.Equal(expected, DnsName.IsAtOrBelow(name, zone));
}
