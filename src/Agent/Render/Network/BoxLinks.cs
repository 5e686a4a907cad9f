using System.Collections.Immutable;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Render.Network;

/// <summary>
/// What the site says about the box's own links, read the same way by every backend: which interfaces carry
/// which networks, where the box routes, which links take DNS, a search domain or router advertisements.
/// </summary>
internal static class BoxLinks
{
    /// <summary>An interface of the box: the network untagged on it (if any) and the VLANs on top of it, by id.</summary>
    internal sealed record Parent(string Name, NetworkConfig? Untagged, ImmutableArray<NetworkConfig> Vlans);

    /// <summary>Traffic the box routes from one network to another; <paramref name="Masquerade"/> when it leaves with the box's address.</summary>
    internal sealed record Path(NetworkConfig From, NetworkConfig To, bool Masquerade);

    /// <summary>The interfaces that carry the box's networks, in the order the site first names them; relayed networks have none.</summary>
    public static IReadOnlyList<Parent> Parents(SiteInventory site) =>
        site.Networks.Where(n => !n.IsRelayed)
            .GroupBy(n => n.ParentInterface!, StringComparer.Ordinal)
            .Select(g => new Parent(g.Key, g.FirstOrDefault(n => n.Vlan is null), [.. g.Where(n => n.Vlan is not null).OrderBy(n => n.Vlan)]))
            .ToList();

    /// <summary>
    /// Everything the box routes: <c>firewall.forward</c> in the file's order, then each masqueraded network out of
    /// each WAN network (masquerading implies forwarding there). A pair both forwarded and masqueraded is routed
    /// once, masqueraded.
    /// </summary>
    public static IReadOnlyList<Path> Paths(SiteInventory site)
    {
        var paths = new List<Path>();
        foreach (var rule in site.Firewall.Forward)
            paths.Add(new Path(site.FindNetwork(rule.From)!, site.FindNetwork(rule.To)!, Masquerade: false));
        foreach (var name in site.Firewall.Masquerade)
        {
            var from = site.FindNetwork(name)!;
            foreach (var wan in site.Networks.Where(n => n.Role == NetworkRole.Wan))
            {
                var named = paths.FindIndex(p => p.From == from && p.To == wan);
                if (named >= 0) paths[named] = paths[named] with { Masquerade = true };
                else paths.Add(new Path(from, wan, Masquerade: true));
            }
        }
        return paths;
    }

    /// <summary>True when the box routes traffic into or out of <paramref name="network"/>.</summary>
    public static bool Routes(SiteInventory site, NetworkConfig network) =>
        Paths(site).Any(p => p.From == network || p.To == network);

    /// <summary>
    /// True where the box itself sends router advertisements (every DHCP-serving network, see DhcpService) or
    /// machines boot from it: taking another router's advertisements there would give the box an address and a
    /// default route on a network it serves, beside the one its site names.
    /// </summary>
    public static bool RefusesRouterAdvertisements(NetworkConfig network) =>
        network.Dhcp.Mode != DhcpMode.Off || network.Role == NetworkRole.Boot;

    /// <summary>The site's upstream resolvers, on the networks that lead out of the site (those with a gateway).</summary>
    public static ImmutableArray<Ipv4Address> Dns(SiteInventory site, NetworkConfig network) =>
        network.Gateway is null ? [] : site.Site.UpstreamDns;
}
