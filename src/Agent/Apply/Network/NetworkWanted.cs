using System.Collections.Immutable;
using NetbootPi.Agent.Render.Network;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Apply.Network;

/// <summary>
/// The box's own network as a site wants it, rendered: the networkd files and netctl profiles (by name, each in
/// its directory), the nftables table, and how operators reach the box. Kept as rendered text, not as the site,
/// so that the last confirmed network can be put back exactly, whatever the site file says by then.
/// </summary>
/// <param name="Networkd">Our files in /etc/systemd/network (empty unless the backend is networkd).</param>
/// <param name="Netctl">Our profiles in /etc/netctl (empty unless the backend is netctl).</param>
/// <param name="Nftables">The <c>table inet netbootpi</c> ruleset; null: no table of ours.</param>
public sealed record NetworkWanted(
    NetworkBackend Backend,
    ImmutableSortedDictionary<string, string> Networkd,
    ImmutableSortedDictionary<string, string> Netctl,
    string? Nftables,
    ManagementAccess? Management)
{
    /// <summary>Nothing of ours anywhere: what is put back when no network was ever confirmed.</summary>
    public static readonly NetworkWanted Nothing = new(NetworkBackend.Networkd,
        ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal), null, null);

    /// <summary>The network <paramref name="site"/> wants. With backend none it wants nothing to be touched.</summary>
    public static NetworkWanted From(SiteInventory site)
    {
        var backend = site.Server.NetworkBackend;
        var empty = ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
        var networkd = backend == NetworkBackend.Networkd
            ? empty.AddRange(NetworkdFiles.Render(site).Select(f => KeyValuePair.Create(f.Name, f.Content)))
            : empty;
        var netctl = backend == NetworkBackend.Netctl
            ? empty.AddRange(NetctlProfiles.Render(site).Select(p => KeyValuePair.Create(p.Name, p.Content)))
            : empty;
        var nft = backend == NetworkBackend.None ? null : NftablesRuleset.Render(site);
        return new NetworkWanted(backend, networkd, netctl, nft, Access(site));
    }

    private static ManagementAccess? Access(SiteInventory site)
    {
        var m = site.Networks.FirstOrDefault(n => n.Role == NetworkRole.Management && !n.IsRelayed);
        if (m is null) return null;
        return new ManagementAccess(m.Name, m.Interface!, m.Address!.ToString()!, BoxServices.On(site, m).Contains(BoxService.Ssh));
    }

    /// <summary>True when both want the same files and rules (the management facts follow from them).</summary>
    public bool SameAs(NetworkWanted? other) =>
        other is not null && Backend == other.Backend && Nftables == other.Nftables
        && Networkd.SequenceEqual(other.Networkd) && Netctl.SequenceEqual(other.Netctl);

    /// <summary>One line for logs and the status: the backend and what it brings up.</summary>
    public string Describe() => Backend switch
    {
        NetworkBackend.None => "network_backend none (the network is left alone)",
        NetworkBackend.Netctl => $"netctl: {string.Join(", ", Netctl.Keys)}",
        _ => $"networkd: {string.Join(", ", Networkd.Keys)}",
    };
}
