using System.Collections.Immutable;
using NetbootPi.Protocols.Dns;

namespace NetbootPi.Agent.Site;

/// <summary>
/// The <c>dns:</c> section: the box answers DNS for the site when the file has one. Null in
/// <see cref="SiteInventory.Dns"/> when it has none.
/// </summary>
/// <param name="ServerName">The box's own name in the site's domain (<c>dns.name</c>, default <c>netbootpi</c>).</param>
/// <param name="Listen">The networks the box answers on; null: the default (networks that serve DHCP, and the management network).</param>
/// <param name="Ttl">The TTL of every record the box is authoritative for.</param>
/// <param name="Records">Extra records (<c>dns.records</c>), owner names already fully qualified.</param>
public sealed record DnsSettings(string ServerName, ImmutableArray<string>? Listen, TimeSpan Ttl, ImmutableArray<DnsRecord> Records)
{
    public const string DefaultServerName = "netbootpi";
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromMinutes(1);

    /// <summary>
    /// True when the box answers DNS on <paramref name="network"/>: one <c>dns.listen</c> names, or by default one
    /// that serves DHCP or is the management network, never a WAN. A relayed network has no address of the box.
    /// </summary>
    public bool ListensOn(NetworkConfig network) =>
        !network.IsRelayed && (Listen is { } names
            ? names.Contains(network.Name)
            : network.Role != NetworkRole.Wan && (network.Role == NetworkRole.Management || network.Dhcp.Mode != DhcpMode.Off));
}
