using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Dns;

/// <summary>Where the box answers DNS, from the site alone.</summary>
public static class DnsListenPlan
{
    /// <summary>
    /// The box's addresses on the networks <c>dns.listen</c> names, or by default on every network that serves
    /// DHCP and on the management network. A WAN network is never a default: the box must not become an open
    /// resolver on the internet unless the site says so by naming it. Empty when the site has no <c>dns:</c>.
    /// </summary>
    public static IReadOnlyList<(NetworkConfig Network, Ipv4Address Address)> For(SiteInventory site)
    {
        if (site.Dns is not { } dns) return [];
        return [.. site.Networks.Where(dns.ListensOn).Select(n => (n, n.BoxAddress!.Value))];
    }
}
