using NetbootPi.Agent.Dhcp;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Http;

/// <summary>
/// Who is at an address: the site's static hosts first, then the DHCP server's bindings, so that a machine
/// the site does not know still has its kernel and initrd fetches recorded under its MAC.
/// </summary>
/// <param name="bindings">The DHCP server's bindings; null when the agent runs without DHCP.</param>
public sealed class ClientDirectory(IDhcpBindings? bindings)
{
    /// <summary>A host name, a MAC for a leased machine the site does not name, or null; from the caller's snapshot.</summary>
    public string? Find(SiteInventory site, Ipv4Address address)
    {
        foreach (var host in site.Hosts)
            if (host.Ip == address) return host.Name;
        return bindings?.BoundTo(address) is { } mac ? site.FindHost(mac)?.Name ?? mac.ToString() : null;
    }
}
