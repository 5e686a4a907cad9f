using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Dhcp;

/// <summary>
/// The DHCP engine's view of one site snapshot: served networks, static leases and boot decisions. Immutable;
/// <see cref="SiteDhcpPolicies"/> gives the engine the one for the current snapshot.
/// </summary>
public sealed class SiteDhcpPolicy : IDhcpPolicy
{
    private readonly SiteInventory _site;

    public SiteDhcpPolicy(SiteInventory site)
    {
        _site = site;
        Networks = site.Networks.Where(n => n.Dhcp.Mode != DhcpMode.Off).Select(n => ToDhcpNetwork(site, n)).ToArray();
    }

    public IReadOnlyList<DhcpNetwork> Networks { get; }

    public DhcpReservation? FindReservation(DhcpNetwork network, MacAddress mac)
    {
        var host = _site.FindHost(mac);
        if (host?.Ip is not { } ip || !network.Subnet.Contains(ip)) return null;
        return new DhcpReservation(ip, host.Name);
    }

    public DhcpBootDecision DecideBoot(DhcpNetwork network, DhcpMessage request, Ipv4Address server)
    {
        var binding = _site.Resolve(request.ClientMac, _site.FindNetwork(network.Name));
        // The box's address as this client reaches it (the engine's server identifier for this request): for a
        // host whose static address lies on another network than the one it asked on, the network it asked on
        // is the one that can reach the box; for a relayed network, the address the relay forwarded to.
        return BootDecisions.Decide(_site, binding, request.Options, request.ClientMac, server);
    }

    private static DhcpNetwork ToDhcpNetwork(SiteInventory site, NetworkConfig n)
    {
        var reserved = site.Hosts.Where(h => h.Ip is { } ip && n.Subnet.Contains(ip)).Select(h => h.Ip!.Value).ToHashSet();
        if (n.BoxAddress is { } box) reserved.Add(box);
        if (n.Gateway is { } gw) reserved.Add(gw);
        if (n.Dhcp.Router is { } router) reserved.Add(router);
        return new DhcpNetwork
        {
            Name = n.Name,
            InterfaceName = n.Interface,
            ServerAddress = n.BoxAddress,
            Subnet = n.Subnet,
            Mode = n.Dhcp.Mode == DhcpMode.Proxy ? DhcpServerMode.Proxy : DhcpServerMode.Authoritative,
            RangeStart = n.Dhcp.Range?.First ?? default,
            RangeEnd = n.Dhcp.Range?.Last ?? default,
            LeaseTime = n.Dhcp.LeaseTime,
            Routers = n.Dhcp.Router is { } r ? [r] : [],
            // dhcp.dns names the servers when the site says; otherwise the box, where it answers DNS on this network.
            DnsServers = site.DnsServersFor(n),
            DomainName = site.Site.Domain,
            ReservedAddresses = reserved,
        };
    }
}
