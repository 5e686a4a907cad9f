using NetbootPi.Agent.Dhcp;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Tests.Dns;

/// <summary>DHCP option 6 names the box when it answers DNS on the network, unless <c>dhcp.dns</c> names other servers.</summary>
public class DhcpDnsOptionTests
{
    private static IReadOnlyList<Ipv4Address> DnsServers(string text, string network = "lan")
    {
        var site = SiteText.Load(text);
        Assert.Empty(site.Errors);
        return new SiteDhcpPolicy(site.Inventory!).Networks.Single(n => n.Name == network).DnsServers;
    }

    private static readonly string WithoutDhcpDns = SiteText.Minimal.Replace(", dns: [10.0.0.1] }", " }", StringComparison.Ordinal);

    [Fact]
    public void The_box_when_it_answers_dns_there() =>
        Assert.Equal([Ipv4Address.Parse("10.0.0.1")], DnsServers(WithoutDhcpDns + "\ndns: {}"));

    [Fact]
    public void Nothing_without_dns() => Assert.Empty(DnsServers(WithoutDhcpDns));

    [Fact]
    public void Other_servers_named_by_the_site_are_kept() =>
        Assert.Equal([Ipv4Address.Parse("10.0.0.53")], DnsServers(SiteText.Minimal.Replace("dns: [10.0.0.1]", "dns: [10.0.0.53]", StringComparison.Ordinal) + "\ndns: {}"));

    [Fact]
    public void Not_on_a_network_dns_does_not_listen_on()
    {
        var three = NetworkRoleTests.Three + "\ndns: { listen: [mgmt] }";
        Assert.Empty(DnsServers(three));
    }
}
