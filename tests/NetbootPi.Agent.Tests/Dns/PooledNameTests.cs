using NetbootPi.Agent.Dns;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Dns;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Tests.Dns;

/// <summary>Which pooled clients' names the zone carries (dnsmasq's rules), and the answers that follow.</summary>
public class PooledNameTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 21, 0, 0, TimeSpan.Zero);

    private static SiteInventory Site(string hosts = "", string records = "")
    {
        var result = SiteText.Load($$"""
            site: { name: lab, domain: lab.internal }
            networks:
              lan:  { interface: lan0, address: 10.27.0.1/24, dhcp: { mode: authoritative, range: 10.27.0.100-10.27.0.199 } }
              mgmt: { role: management, interface: mgmt0, address: 10.28.0.1/24 }
            profiles: { p: { local: true } }
            defaults: { profile: p }
            hosts:
              napalm: { mac: 02:00:00:00:27:01, ip: 10.27.0.10 }
              roamer: { mac: 02:00:00:00:27:02 }
            {{hosts}}
            dns: { records: { shoe: { cname: netbootpi }, _http._tcp: { srv: "0 0 80 netbootpi" } {{records}} } }
            """);
        Assert.Empty(result.Errors);
        return result.Inventory!;
    }

    private static DhcpLease Lease(int last, int mac, string? name, int minutes = 30, DhcpLeaseState state = DhcpLeaseState.Bound) =>
        new(new Ipv4Address(10, 27, 0, (byte)last), MacAddress.Parse($"02:00:00:00:99:{mac:x2}"), state, Now.AddMinutes(minutes), name);

    private static string[] Answers(SiteZone zone, string name, DnsRecordType type) =>
        zone.Lookup(name, type) is { Kind: ZoneLookupKind.Answer } a ? a.Answers.Select(r => r.Type == DnsRecordType.A ? string.Join('.', r.Address) : r.Target).ToArray() : [];

    [Fact]
    public void A_bound_named_lease_gives_an_a_record_and_a_ptr_until_it_ends()
    {
        var site = Site();
        var leases = new[] { Lease(100, 1, "laptop") };
        var zone = SiteZone.Build(site, leases, Now);
        Assert.Equal(["10.27.0.100"], Answers(zone, "Laptop.Lab.Internal", DnsRecordType.A));
        Assert.Equal(["laptop.lab.internal"], Answers(zone, "100.0.27.10.in-addr.arpa", DnsRecordType.PTR));
        Assert.Equal(Now.AddMinutes(30), zone.Pooled.NextEnd);
        Assert.Empty(zone.Pooled.Refused);

        // At its end (or once released) the name is NXDOMAIN again.
        var ended = SiteZone.Build(site, leases, Now.AddMinutes(30));
        Assert.Equal(ZoneLookupKind.NameError, ended.Lookup("laptop.lab.internal", DnsRecordType.A).Kind);
        Assert.Equal(ZoneLookupKind.NameError, ended.Lookup("100.0.27.10.in-addr.arpa", DnsRecordType.PTR).Kind);
        var released = SiteZone.Build(site, [Lease(100, 1, "laptop", 0, DhcpLeaseState.Released)], Now);
        Assert.Equal(ZoneLookupKind.NameError, released.Lookup("laptop.lab.internal", DnsRecordType.A).Kind);
        Assert.Null(released.Pooled.NextEnd);
        // The serial follows: an answer changed.
        Assert.NotEqual(zone.Lookup("lab.internal", DnsRecordType.SOA).Answers[0].Serial, ended.Lookup("lab.internal", DnsRecordType.SOA).Answers[0].Serial);
    }

    [Fact]
    public void A_name_the_site_uses_is_not_given()
    {
        var zone = SiteZone.Build(Site(), [
            Lease(101, 1, "napalm"),     // a host's name
            Lease(102, 2, "roamer"),     // a host without an address: its name is still the site's
            Lease(103, 3, "netbootpi"),  // the box
            Lease(104, 4, "shoe"),       // a dns.records name
            Lease(105, 5, "_tcp"),       // a name between a dns.records name and the domain (DHCP never stores a name with '_' first)
        ], Now);
        Assert.Empty(zone.Pooled.Published);
        Assert.Equal(
        [
            "napalm 10.27.0.101 site host napalm's name",
            "roamer 10.27.0.102 site host roamer's name",
            "netbootpi 10.27.0.103 the box's own name (dns.name)",
            "shoe 10.27.0.104 a name in dns.records",
            "_tcp 10.27.0.105 a name in dns.records",
        ], zone.Pooled.Refused.Select(r => $"{r.Label} {r.Address} {r.Reason}"));
        Assert.All(zone.Pooled.Refused, r => Assert.True(r.Taken));
        Assert.Equal(["10.27.0.10"], Answers(zone, "napalm.lab.internal", DnsRecordType.A));
        Assert.Equal(["netbootpi.lab.internal"], Answers(zone, "shoe.lab.internal", DnsRecordType.CNAME));
        Assert.Equal(ZoneLookupKind.NameError, zone.Lookup("102.0.27.10.in-addr.arpa", DnsRecordType.PTR).Kind);
    }

    [Fact]
    public void A_site_host_without_an_address_gets_its_site_name_on_its_pool_lease()
    {
        var roamer = MacAddress.Parse("02:00:00:00:27:02");
        // Whatever name it sends (or none), as dnsmasq's dhcp-host=MAC,NAME outranks the client's name.
        var zone = SiteZone.Build(Site(), [new DhcpLease(Ipv4Address.Parse("10.27.0.150"), roamer, DhcpLeaseState.Bound, Now.AddHours(1), "whatever")], Now);
        Assert.Equal(["10.27.0.150"], Answers(zone, "roamer.lab.internal", DnsRecordType.A));
        Assert.Equal(ZoneLookupKind.NameError, zone.Lookup("whatever.lab.internal", DnsRecordType.A).Kind);
        Assert.True(Assert.Single(zone.Pooled.Published).FromSite);
        // A client that asks for roamer's name meanwhile does not get it.
        zone = SiteZone.Build(Site(), [new DhcpLease(Ipv4Address.Parse("10.27.0.150"), roamer, DhcpLeaseState.Bound, Now.AddHours(1)), Lease(151, 9, "roamer", 90)], Now);
        Assert.Equal(["10.27.0.150"], Answers(zone, "roamer.lab.internal", DnsRecordType.A));
    }

    [Fact]
    public void Two_clients_with_one_name_the_lease_that_ends_last_has_it()
    {
        var site = Site();
        var zone = SiteZone.Build(site, [Lease(100, 1, "laptop", 20), Lease(101, 2, "laptop", 50)], Now);
        Assert.Equal(["10.27.0.101"], Answers(zone, "laptop.lab.internal", DnsRecordType.A));
        Assert.Equal(ZoneLookupKind.NameError, zone.Lookup("100.0.27.10.in-addr.arpa", DnsRecordType.PTR).Kind);
        var loser = Assert.Single(zone.Pooled.Refused);
        Assert.False(loser.Taken);
        Assert.Equal("held by 02:00:00:00:99:02 at 10.27.0.101, whose lease ends later", loser.Reason);
        // The first renews (now it ends last): the name moves to it, as dnsmasq gives it to the lease it last ACKed.
        zone = SiteZone.Build(site, [Lease(100, 1, "laptop", 80), Lease(101, 2, "laptop", 50)], Now);
        Assert.Equal(["10.27.0.100"], Answers(zone, "laptop.lab.internal", DnsRecordType.A));
        // The next end to wait for is the first of either.
        Assert.Equal(Now.AddMinutes(50), zone.Pooled.NextEnd);
    }

    [Fact]
    public void Leases_the_site_no_longer_serves_or_that_are_static_count_for_nothing()
    {
        var site = Site();
        var zone = SiteZone.Build(site, [
            Lease(10, 1, "squatter"),                                                   // napalm's static address (a host added meanwhile)
            new(Ipv4Address.Parse("10.99.0.5"), MacAddress.Parse("02:00:00:00:99:05"), DhcpLeaseState.Bound, Now.AddHours(1), "gone"), // no network of the site
            new(Ipv4Address.Parse("10.27.0.120"), MacAddress.Parse("02:00:00:00:27:01"), DhcpLeaseState.Bound, Now.AddHours(1), "elsewhere"), // napalm's MAC: its name is at its static address
            Lease(121, 6, null),                                                        // no name given
            Lease(122, 7, "declined", 30, DhcpLeaseState.Declined),
        ], Now);
        Assert.Empty(zone.Pooled.Published);
        Assert.Empty(zone.Pooled.Refused);
        Assert.Equal(["10.27.0.10"], Answers(zone, "napalm.lab.internal", DnsRecordType.A));
    }

    [Fact]
    public void A_site_without_dns_carries_no_names()
    {
        var result = SiteText.Load("""
            site: { name: lab, domain: lab.internal }
            networks:
              lan: { interface: lan0, address: 10.27.0.1/24, dhcp: { mode: authoritative, range: 10.27.0.100-10.27.0.199 } }
            profiles: { p: { local: true } }
            defaults: { profile: p }
            """);
        Assert.Empty(result.Errors);
        Assert.Same(SiteZone.Empty, SiteZone.Build(result.Inventory!, [Lease(100, 1, "laptop")], Now));
    }
}
