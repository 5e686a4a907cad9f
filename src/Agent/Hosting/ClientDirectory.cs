using Microsoft.Extensions.DependencyInjection;
using NetbootPi.Agent.Dhcp;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Hosting;

/// <summary>
/// Who is at an address: the site's static hosts first, then the DHCP server's leases, so that a machine
/// the site does not know still has its kernel and initrd fetches recorded under its MAC.
/// </summary>
public sealed class ClientDirectory(SiteState state, IServiceProvider services)
{
    /// <summary>A host name, a MAC for a leased machine the site does not name, or null.</summary>
    public string? Find(Ipv4Address address) => Find(state.Current, address);

    /// <summary>As <see cref="Find(Ipv4Address)"/>, in the site snapshot the caller is already answering from.</summary>
    public string? Find(SiteInventory site, Ipv4Address address)
    {
        foreach (var host in site.Hosts)
            if (host.Ip == address) return host.Name;
        var engine = services.GetService<DhcpService>()?.Engine;
        if (engine is null) return null;
        var now = DateTimeOffset.UtcNow;
        MacAddress? mac = null;
        foreach (var lease in engine.SnapshotLeases())
        {
            if (lease.Address == address && lease.Blocks(now)) mac = lease.Mac;
        }
        return mac is { } m ? site.FindHost(m)?.Name ?? m.ToString() : null;
    }
}
