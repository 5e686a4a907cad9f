using NetbootPi.Agent.Dns;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Protocols.Dns;

namespace NetbootPi.Agent.Tests.Dns;

/// <summary>
/// The <c>dns:</c> section, each rule with the exact message a user sees. The section starts at line 9, after
/// <see cref="NetworkRoleTests.Three"/> (lan serves DHCP, mgmt, wan).
/// </summary>
public class DnsSectionTests
{
    private static string WithDns(params string[] lines) => NetworkRoleTests.Three + "\ndns:\n" + string.Join('\n', lines.Select(l => "  " + l));

    private static SiteInventory Load(string text)
    {
        var result = SiteText.Load(text);
        Assert.Empty(result.Errors);
        return result.Inventory!;
    }

    [Fact]
    public void Without_a_section_there_is_no_dns()
    {
        var site = Load(NetworkRoleTests.Three);
        Assert.Null(site.Dns);
        Assert.Empty(DnsListenPlan.For(site));
        Assert.Same(SiteZone.Empty, SiteZone.Build(site));
    }

    [Fact]
    public void An_empty_section_takes_every_default()
    {
        var site = Load(NetworkRoleTests.Three + "\ndns: {}");
        Assert.Equal(new DnsSettings("netbootpi", null, TimeSpan.FromMinutes(1), []), site.Dns! with { Records = [] });
        // DHCP networks and the management network; never the WAN by default.
        Assert.Equal(["lan 10.69.0.1", "mgmt 192.168.69.1"], DnsListenPlan.For(site).Select(l => $"{l.Network.Name} {l.Address}"));
    }

    [Fact]
    public void Listen_names_networks_and_may_name_the_wan()
    {
        var site = Load(WithDns("listen: [mgmt, wan]"));
        Assert.Equal(["mgmt 192.168.69.1", "wan 134.226.83.42"], DnsListenPlan.For(site).Select(l => $"{l.Network.Name} {l.Address}"));
    }

    [Fact]
    public void The_firewall_opens_dns_where_the_box_answers_it()
    {
        string[] On(SiteInventory site, string network) =>
            [.. BoxServices.On(site, site.FindNetwork(network)!).Select(s => s.ToString().ToLowerInvariant())];
        var site = Load(NetworkRoleTests.Three + "\ndns: {}");
        Assert.Equal(["dhcp", "tftp", "http", "ping", "dns"], On(site, "lan"));
        Assert.Equal(["ssh", "ping", "dns", "api"], On(site, "mgmt"));
        Assert.Empty(On(site, "wan"));
        var named = Load(WithDns("listen: [wan]"));
        Assert.Equal(["dns"], On(named, "wan"));
        Assert.Equal(["ssh", "ping", "api"], On(named, "mgmt"));
        // An explicit allow list replaces the defaults, dns included.
        var allow = Load(NetworkRoleTests.Three + "\nfirewall: { allow: { mgmt: [ssh, dns] } }\ndns: {}");
        Assert.Equal(["ssh", "dns"], On(allow, "mgmt"));
    }

    [Fact]
    public void Records_of_every_kind()
    {
        var site = Load(WithDns(
            "name: box",
            "ttl: 5m",
            "records:",
            "  shoe: { cname: box }",
            "  nintendo: { a: 10.69.1.20, aaaa: 'fd00:69::20', txt: [hello, world] }",
            "  _http._tcp: { srv: '0 5 80 shoe' }",
            "  away: { cname: www.example.org. }",
            "  '@': { txt: site }"));
        var dns = site.Dns!;
        Assert.Equal("box", dns.ServerName);
        Assert.Equal(TimeSpan.FromMinutes(5), dns.Ttl);
        Assert.Equal(
        [
            "shoe.t.internal CNAME box.t.internal",
            "nintendo.t.internal A 0A450114",
            "nintendo.t.internal AAAA FD000069000000000000000000000020",
            "nintendo.t.internal TXT hello|world",
            "_http._tcp.t.internal SRV 0 5 80 shoe.t.internal",
            "away.t.internal CNAME www.example.org",
            "t.internal TXT site",
        ], dns.Records.Select(Show));
        Assert.All(dns.Records, r => Assert.Equal(300u, r.Ttl));
    }

    private static string Show(DnsRecord r) => r.Type switch
    {
        DnsRecordType.A or DnsRecordType.AAAA => $"{r.Name} {r.Type} {Convert.ToHexString(r.Address.AsSpan())}",
        DnsRecordType.TXT => $"{r.Name} TXT {string.Join('|', r.Texts)}",
        DnsRecordType.SRV => $"{r.Name} SRV {r.Priority} {r.Weight} {r.Port} {r.Target}",
        _ => $"{r.Name} {r.Type} {r.Target}",
    };

    [Fact]
    public void Errors_say_where_and_what()
    {
        Assert.Equal(
        [
            "t.yaml:10:3: dns.nmae: unknown key (did you mean 'name'?)",
            "t.yaml:11:17: dns.listen[1]: unknown network 'lna' (did you mean 'lan'? the box's networks: lan, mgmt, wan)",
            "t.yaml:13:5: dns.records.bad name: 'bad name' is not a name in the domain (expected labels of letters, digits, '-' and '_' separated by dots, relative to t.internal, or @ for t.internal itself)",
            "t.yaml:14:13: dns.records.x.a: '10.1' is not an IPv4 address (expected a dotted quad like 10.69.1.1)",
            "t.yaml:15:15: dns.records.y.srv: '80 shoe' is not an SRV value (expected PRIORITY WEIGHT PORT TARGET, numbers 0-65535, like '0 5 80 shoe')",
            "t.yaml:16:8: dns.records.z: a cname and other records at one name (expected the cname alone: a name that is an alias has no records of its own)",
            "t.yaml:17:16: dns.records.w.aaaa: '10.0.0.1' is not an IPv6 address (expected something like fd00:69::1)",
        ], SiteText.Errors(WithDns(
            "nmae: box",
            "listen: [lan, lna]",
            "records:",
            "  bad name: { a: 10.0.0.1 }",
            "  x: { a: 10.1 }",
            "  y: { srv: '80 shoe' }",
            "  z: { cname: a, a: 10.0.0.1 }",
            "  w: { aaaa: 10.0.0.1 }")));
    }

    [Fact]
    public void Cross_checks_with_hosts_networks_and_upstreams()
    {
        var text = NetworkRoleTests.Three.Replace("upstream_dns: [1.1.1.1]", "upstream_dns: [1.1.1.1, 192.168.69.1]", StringComparison.Ordinal)
            + "\nhosts:\n  napalm: { mac: 84:8f:69:e0:d4:0f, ip: 10.69.1.1 }\n  Box: { mac: 84:8f:69:e0:d4:10 }"
            + "\ndns:\n  name: box\n  records:\n    NAPALM: { cname: box }";
        Assert.Equal(
        [
            "t.yaml:13:3: dns: site.upstream_dns names 192.168.69.1, the box's own address on network mgmt: the box would forward to itself (expected resolvers other than the box)",
            "t.yaml:13:9: dns.name: box is also host Box at line 11 (expected a name for the box that no host has; set dns.name)",
            "t.yaml:15:5: dns.records.NAPALM: NAPALM.t.internal is host napalm's name at line 10 (expected an alias no host has: a name with a cname has no address of its own)",
        ], SiteText.Errors(text));
    }

    [Fact]
    public void A_section_needs_the_domain()
    {
        var text = NetworkRoleTests.Three.Replace("domain: t.internal, ", "", StringComparison.Ordinal) + "\ndns: {}";
        Assert.Equal(
            ["t.yaml:9:1: dns: needs site.domain: the names the box answers for are NAME.DOMAIN (expected a domain under site:, like domain: netsoc.internal)"],
            SiteText.Errors(text));
    }
}
