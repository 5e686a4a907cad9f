using System.Runtime.CompilerServices;
using System.Text;
using NetbootPi.Agent.Hosting;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Options;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Dhcp;

/// <summary>
/// The DHCP engine's view of the site: served networks, static leases and boot decisions, all derived from
/// the current snapshot. The derived networks are cached per snapshot, so a reload takes effect on the next request.
/// </summary>
public sealed class SiteDhcpPolicy(SiteState state) : IDhcpPolicy
{
    private static readonly ConditionalWeakTable<SiteInventory, Derived> Cache = new();

    public IReadOnlyList<DhcpNetwork> Networks => For(state.Current).Networks;

    public DhcpReservation? FindReservation(DhcpNetwork network, MacAddress mac)
    {
        var site = state.Current;
        var host = site.FindHost(mac);
        if (host?.Ip is not { } ip || !network.Subnet.Contains(ip)) return null;
        return new DhcpReservation(ip, host.Name);
    }

    public DhcpBootDecision DecideBoot(DhcpNetwork network, DhcpMessage request, Ipv4Address server)
    {
        var site = state.Current;
        var siteNetwork = site.FindNetwork(network.Name);
        var binding = site.Resolve(request.ClientMac, siteNetwork);
        // The box's address as this client reaches it (the engine's server identifier for this request): for a
        // host whose static address lies on another network than the one it asked on, the network it asked on
        // is the one that can reach the box; for a relayed network, the address the relay forwarded to.
        return BootDecisions.Decide(site, binding, request.Options, request.ClientMac, server);
    }

    private static Derived For(SiteInventory site) => Cache.GetValue(site, static s => new Derived(s));

    private sealed class Derived
    {
        public Derived(SiteInventory site)
        {
            Networks = site.Networks.Where(n => n.Dhcp.Mode != DhcpMode.Off).Select(n => ToDhcpNetwork(site, n)).ToArray();
        }

        public IReadOnlyList<DhcpNetwork> Networks { get; }

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
                DnsServers = n.Dhcp.Dns,
                DomainName = site.Site.Domain,
                ReservedAddresses = reserved,
            };
        }
    }
}
