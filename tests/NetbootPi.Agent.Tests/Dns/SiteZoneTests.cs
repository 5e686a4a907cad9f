using NetbootPi.Agent.Dns;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Protocols.Dns;

namespace NetbootPi.Agent.Tests.Dns;

/// <summary>The zones built from the example site, and the answers <see cref="DnsAnswerer"/> writes from them.</summary>
public class SiteZoneTests
{
    private static SiteInventory Example()
    {
        var result = SiteText.Load(SiteText.Example);
        Assert.Empty(result.Errors);
        return result.Inventory!;
    }

    private static string Show(DnsRecord r) => r.Type switch
    {
        DnsRecordType.A => $"{r.Name} A {r.Address[0]}.{r.Address[1]}.{r.Address[2]}.{r.Address[3]}",
        DnsRecordType.SOA => $"{r.Name} SOA {r.Target} {r.Mailbox} {r.Minimum}",
        _ => $"{r.Name} {r.Type} {r.Target}",
    };

    [Fact]
    public void Example_zones_hold_every_host_the_box_and_their_reverse_names()
    {
        var zone = SiteZone.Build(Example());
        // The forward domain and the reverse zones of lan (/16) and mgmt (/24); not the WAN's, which is the ISP's.
        Assert.Equal(["69.168.192.in-addr.arpa", "69.10.in-addr.arpa", "netsoc.internal"], zone.Origins);
        var lines = zone.Records.Where(r => r.Type is not DnsRecordType.SOA and not DnsRecordType.NS).Select(Show).ToArray();
        Assert.Equal(
        [
            "1.0.69.10.in-addr.arpa PTR netbootpi.netsoc.internal",
            "1.1.69.10.in-addr.arpa PTR napalm.netsoc.internal",
            "1.10.69.10.in-addr.arpa PTR napalm-idrac.netsoc.internal",
            "1.69.168.192.in-addr.arpa PTR netbootpi.netsoc.internal",
            "2.1.69.10.in-addr.arpa PTR spoon.netsoc.internal",
            "3.1.69.10.in-addr.arpa PTR cube.netsoc.internal",
            "3.10.69.10.in-addr.arpa PTR cube-idrac.netsoc.internal",
            "4.1.69.10.in-addr.arpa PTR gandalf.netsoc.internal",
            "4.10.69.10.in-addr.arpa PTR gandalf-ilo.netsoc.internal",
            "cube-idrac.netsoc.internal A 10.69.10.3",
            "cube.netsoc.internal A 10.69.1.3",
            "gandalf-ilo.netsoc.internal A 10.69.10.4",
            "gandalf.netsoc.internal A 10.69.1.4",
            "napalm-idrac.netsoc.internal A 10.69.10.1",
            "napalm.netsoc.internal A 10.69.1.1",
            "netbootpi.netsoc.internal A 10.69.0.1",
            "netbootpi.netsoc.internal A 192.168.69.1",
            "shoe.netsoc.internal CNAME netbootpi.netsoc.internal",
            "spoon.netsoc.internal A 10.69.1.2",
        ], lines);
    }

    [Fact]
    public void Lookups_keep_the_clients_spelling_and_tell_nodata_from_nxdomain()
    {
        var zone = SiteZone.Build(Example());
        var a = zone.Lookup("NaPaLm.NetSoc.Internal", DnsRecordType.A);
        Assert.Equal(ZoneLookupKind.Answer, a.Kind);
        Assert.Equal(["NaPaLm.NetSoc.Internal A 10.69.1.1"], a.Answers.Select(Show));

        var nodata = zone.Lookup("napalm.netsoc.internal", DnsRecordType.AAAA);
        Assert.Equal(ZoneLookupKind.NoData, nodata.Kind);
        Assert.Equal("netsoc.internal SOA netbootpi.netsoc.internal hostmaster.netsoc.internal 60", Show(nodata.Soa!));

        var nx = zone.Lookup("nothere.netsoc.internal", DnsRecordType.A);
        Assert.Equal(ZoneLookupKind.NameError, nx.Kind);
        Assert.NotNull(nx.Soa);

        // An address in lan's reverse zone that no host has: NXDOMAIN from the box, not forwarded.
        Assert.Equal(ZoneLookupKind.NameError, zone.Lookup("9.9.69.10.in-addr.arpa", DnsRecordType.PTR).Kind);
        // Between the zone and an owner: an empty non-terminal exists (RFC 8020).
        Assert.Equal(ZoneLookupKind.NoData, zone.Lookup("1.69.10.in-addr.arpa", DnsRecordType.PTR).Kind);
        Assert.Equal(ZoneLookupKind.NotOurs, zone.Lookup("example.org", DnsRecordType.A).Kind);
        Assert.Equal(ZoneLookupKind.NotOurs, zone.Lookup("42.83.226.134.in-addr.arpa", DnsRecordType.PTR).Kind);
    }

    [Fact]
    public void Cname_is_followed_inside_the_site()
    {
        var zone = SiteZone.Build(Example());
        var shoe = zone.Lookup("Shoe.netsoc.internal", DnsRecordType.A);
        Assert.Equal(
            ["Shoe.netsoc.internal CNAME netbootpi.netsoc.internal", "netbootpi.netsoc.internal A 10.69.0.1", "netbootpi.netsoc.internal A 192.168.69.1"],
            shoe.Answers.Select(Show));
        Assert.Equal(["shoe.netsoc.internal CNAME netbootpi.netsoc.internal"], zone.Lookup("shoe.netsoc.internal", DnsRecordType.CNAME).Answers.Select(Show));
    }

    [Fact]
    public void Serial_changes_with_the_content_only()
    {
        var site = Example();
        var again = SiteZone.Build(site).Lookup("netsoc.internal", DnsRecordType.SOA).Answers[0].Serial;
        Assert.Equal(SiteZone.Build(site).Lookup("netsoc.internal", DnsRecordType.SOA).Answers[0].Serial, again);
        var changed = SiteText.Load(SiteText.Example.Replace("ip: 10.69.1.2", "ip: 10.69.1.9", StringComparison.Ordinal)).Inventory!;
        Assert.NotEqual(again, SiteZone.Build(changed).Lookup("netsoc.internal", DnsRecordType.SOA).Answers[0].Serial);
    }

    [Fact]
    public void Answerer_writes_authoritative_answers_and_negative_ones_with_the_soa()
    {
        var zone = SiteZone.Build(Example());
        var (query, writer, scan) = (new DnsQuery(), new DnsMessageWriter(), new DnsResponseScan());

        Assert.Equal(DnsDisposition.Answered, Ask("NaPaLm.NetSoc.Internal", DnsRecordType.A));
        Assert.Equal(DnsParseError.None, scan.Scan(writer.Written));
        Assert.True(scan.Header.IsAuthoritative);
        Assert.Equal(DnsResponseCode.NoError, scan.Header.ResponseCode);
        Assert.Equal(1, scan.Header.AnswerCount);
        Assert.Equal("NaPaLm.NetSoc.Internal", scan.Name);

        Assert.Equal(DnsDisposition.Answered, Ask("nothere.netsoc.internal", DnsRecordType.A));
        scan.Scan(writer.Written);
        Assert.Equal(DnsResponseCode.NameError, scan.Header.ResponseCode);
        Assert.Equal((0, 1), (scan.Header.AnswerCount, scan.Header.AuthorityCount));
        Assert.Equal(60u, scan.NegativeTtl);

        Assert.Equal(DnsDisposition.Answered, Ask("napalm.netsoc.internal", DnsRecordType.TXT));
        scan.Scan(writer.Written);
        Assert.Equal((DnsResponseCode.NoError, 0, 1), (scan.Header.ResponseCode, scan.Header.AnswerCount, scan.Header.AuthorityCount));

        Assert.Equal(DnsDisposition.Forward, Ask("example.org", DnsRecordType.A));
        Assert.Equal(DnsDisposition.Answered, Ask("example.org", DnsRecordType.A, canForward: false));
        scan.Scan(writer.Written);
        Assert.Equal(DnsResponseCode.Refused, scan.Header.ResponseCode);
        Assert.False(scan.Header.RecursionAvailable);

        Assert.Equal(DnsDisposition.Answered, Ask("netsoc.internal", DnsRecordType.AXFR));
        scan.Scan(writer.Written);
        Assert.Equal(DnsResponseCode.Refused, scan.Header.ResponseCode);

        // A broken question: FORMERR with the id; a response: nothing at all.
        var broken = DnsQueryBytes("a.netsoc.internal");
        broken[12] = 0xC0;
        broken[13] = 0x0C;
        Assert.Equal(DnsDisposition.Answered, DnsAnswerer.Answer(query, query.Parse(broken), zone, true, writer, 512));
        Assert.Equal(new byte[] { 0x12, 0x34, 0x81, 0x81, 0, 0, 0, 0, 0, 0, 0, 0 }, writer.Written.ToArray());
        broken[2] |= 0x80;
        Assert.Equal(DnsDisposition.Drop, DnsAnswerer.Answer(query, query.Parse(broken), zone, true, writer, 512));

        DnsDisposition Ask(string name, DnsRecordType type, bool canForward = true) =>
            DnsAnswerer.Answer(query, query.Parse(DnsQueryBytes(name, type)), zone, canForward, writer, 512);
    }

    [Fact]
    public void Answer_too_big_for_the_client_is_truncated_and_whole_over_tcp()
    {
        var text = SiteText.Example.Replace("shoe: { cname: netbootpi }",
            "shoe: { cname: netbootpi }\n    big: { txt: [" + string.Join(", ", Enumerable.Range(0, 8).Select(i => $"'{new string((char)('a' + i), 100)}'")) + "] }",
            StringComparison.Ordinal);
        var site = SiteText.Load(text);
        Assert.Empty(site.Errors);
        var zone = SiteZone.Build(site.Inventory!);
        var (query, writer, scan) = (new DnsQuery(), new DnsMessageWriter(), new DnsResponseScan());
        query.Parse(DnsQueryBytes("big.netsoc.internal", DnsRecordType.TXT));
        DnsAnswerer.Answer(query, DnsParseError.None, zone, true, writer, DnsAnswerer.Limit(query, tcp: false));
        Assert.Equal(DnsParseError.None, scan.Scan(writer.Written));
        Assert.True(scan.Header.IsTruncated);
        Assert.Equal(0, scan.Header.AnswerCount);
        Assert.True(writer.Length <= 512);

        DnsAnswerer.Answer(query, DnsParseError.None, zone, true, writer, DnsAnswerer.Limit(query, tcp: true));
        Assert.Equal(DnsParseError.None, scan.Scan(writer.Written));
        Assert.False(scan.Header.IsTruncated);
        Assert.Equal(1, scan.Header.AnswerCount);
        Assert.True(writer.Length > 800);
    }

    internal static byte[] DnsQueryBytes(string name, DnsRecordType type = DnsRecordType.A)
    {
        var w = new DnsMessageWriter();
        w.Begin(0x1234, DnsHeader.RecursionDesiredFlag, 512);
        w.TryWriteQuestion(name, type, 1);
        return w.Written.ToArray();
    }
}
