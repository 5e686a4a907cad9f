using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Dns;

/// <summary>
/// Which pooled clients' names the site's zone carries, as a pure function of the site, the lease records and the
/// time: dnsmasq's rules for DHCP names (rfc2131.c, lease.c, cache.c), so that a site moving from dnsmasq keeps them.
/// </summary>
/// <remarks>
/// A lease counts while it is bound and unexpired, on an address of a network the box serves DHCP on that is no
/// site host's static address. Its name is the site's for its MAC when the site lists the MAC without an address
/// (as dnsmasq's <c>dhcp-host=MAC,NAME</c> outranks the client's name), else the name the client gave (already
/// sanitised by the DHCP server). A name the site uses (a host's, the box's, a <c>dns.records</c> name or one
/// under it) is refused, as dnsmasq refuses a name in /etc/hosts. Two clients with one name: the lease that ends
/// last has it, which with equal lease times is the one bound or renewed last, as dnsmasq gives the name to the
/// lease it last ACKed with it.
/// </remarks>
public sealed class PooledNames
{
    public static readonly PooledNames None = new([], [], null);

    private PooledNames(IReadOnlyList<PooledName> published, IReadOnlyList<PooledNameRefusal> refused, DateTimeOffset? nextEnd)
    {
        Published = published;
        Refused = refused;
        NextEnd = nextEnd;
    }

    /// <summary>The names the zone carries, by label.</summary>
    public IReadOnlyList<PooledName> Published { get; }

    /// <summary>The names asked for and not published.</summary>
    public IReadOnlyList<PooledNameRefusal> Refused { get; }

    /// <summary>When the first counted lease ends: the names must be chosen again then.</summary>
    public DateTimeOffset? NextEnd { get; }

    /// <param name="siteUses">True for a label whose name (LABEL.DOMAIN) the site's own records use.</param>
    public static PooledNames Choose(SiteInventory site, IEnumerable<DhcpLease> leases, DateTimeOffset now, Func<string, bool> siteUses)
    {
        var statics = site.Hosts.Where(h => h.Ip is not null).Select(h => h.Ip!.Value).ToHashSet();
        var candidates = new List<PooledName>();
        var refused = new List<PooledNameRefusal>();
        DateTimeOffset? nextEnd = null;
        foreach (var lease in leases)
        {
            if (lease.State != DhcpLeaseState.Bound || lease.ExpiresAt <= now) continue;
            if (statics.Contains(lease.Address)) continue;
            if (site.NetworkContaining(lease.Address) is not { Dhcp.Mode: DhcpMode.Authoritative }) continue;
            var host = site.FindHost(lease.Mac);
            // A host with an address has its name there already; a lease elsewhere does not move it.
            if (host?.Ip is not null) continue;
            var label = host?.Name.ToLowerInvariant() ?? lease.HostName;
            if (label is null) continue;
            if (nextEnd is null || lease.ExpiresAt < nextEnd) nextEnd = lease.ExpiresAt;
            if (host is null && site.FindHost(label) is { } owner)
                refused.Add(new(label, lease.Address, lease.Mac, Taken: true, $"site host {owner.Name}'s name"));
            else if (host is null && site.Dns is { } dns && string.Equals(label, dns.ServerName, StringComparison.OrdinalIgnoreCase))
                refused.Add(new(label, lease.Address, lease.Mac, Taken: true, "the box's own name (dns.name)"));
            else if (host is null && siteUses(label))
                refused.Add(new(label, lease.Address, lease.Mac, Taken: true, "a name in dns.records"));
            else candidates.Add(new(label, lease.Address, lease.Mac, lease.ExpiresAt, FromSite: host is not null));
        }
        var published = new List<PooledName>();
        foreach (var group in candidates.GroupBy(c => c.Label, StringComparer.Ordinal))
        {
            // The site's own name for a MAC outranks a client's; then the lease that ends last.
            var ordered = group.OrderByDescending(c => c.FromSite).ThenByDescending(c => c.ExpiresAt).ThenBy(c => c.Address).ToList();
            published.Add(ordered[0]);
            foreach (var loser in ordered.Skip(1))
                refused.Add(new(loser.Label, loser.Address, loser.Mac, Taken: false,
                    $"held by {ordered[0].Mac} at {ordered[0].Address}, whose lease {(ordered[0].FromSite ? "is the site's host of that name" : "ends later")}"));
        }
        return new PooledNames([.. published.OrderBy(p => p.Label, StringComparer.Ordinal)], refused, nextEnd);
    }
}
