using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Render.Network;

/// <summary>
/// Renders the box's own network as systemd-networkd files for <see cref="Directory"/>: a pure function of the
/// site. Per interface that carries networks a <c>.network</c> file (its VLANs, and its own address when a network
/// is untagged on it); per VLAN a <c>.netdev</c> that creates it and a <c>.network</c> with its address. Relayed
/// networks produce nothing: the box has no interface on them. Only settings systemd 252 (Debian 12) knows.
/// </summary>
/// <remarks>
/// Every file is named <see cref="Prefix"/> + the interface it is about, so the set of our files is exactly those
/// with the prefix: files anyone else wrote are never read, replaced or removed. networkd applies the first
/// <c>.network</c> file, in the lexical order of the names, that matches a link: a file the administrator names
/// below 50 still wins over ours, and a distribution's catch-all (<c>80-</c>, <c>99-</c>) does not.
/// </remarks>
public static class NetworkdFiles
{
    /// <summary>Where the files go.</summary>
    public const string Directory = "/etc/systemd/network";

    /// <summary>The start of every file name we write there, and of no other.</summary>
    public const string Prefix = "50-netbootpi-";

    /// <summary>True for a file in <see cref="Directory"/> that is one of ours (to replace or remove); false for anyone else's.</summary>
    public static bool IsOurs(string fileName) =>
        fileName.StartsWith(Prefix, StringComparison.Ordinal)
        && (fileName.EndsWith(".network", StringComparison.Ordinal) || fileName.EndsWith(".netdev", StringComparison.Ordinal));

    /// <summary>
    /// The files, per interface in the order the site names them: its <c>.network</c>, then each VLAN's <c>.netdev</c>
    /// and <c>.network</c>; then the WireGuard tunnel's (<see cref="NetworkdWireGuard"/>).
    /// </summary>
    public static IReadOnlyList<NetworkFile> Render(SiteInventory site)
    {
        var files = new List<NetworkFile>();
        foreach (var parent in BoxLinks.Parents(site))
        {
            files.Add(new NetworkFile($"{Prefix}{parent.Name}.network", ParentNetwork(site, parent)));
            foreach (var vlan in parent.Vlans)
            {
                files.Add(new NetworkFile($"{Prefix}{vlan.Interface}.netdev", VlanNetdev(vlan)));
                files.Add(new NetworkFile($"{Prefix}{vlan.Interface}.network", VlanNetwork(site, vlan)));
            }
        }
        files.AddRange(NetworkdWireGuard.Render(site));
        return files;
    }

    private static LineWriter Header(string about)
    {
        var w = new LineWriter();
        w.Line("# Written by netbootpi from the site file; it replaces this file on every change (docs/network.md).");
        w.Line($"# {about}");
        return w;
    }

    private static string Describe(NetworkConfig n) => $"network {n.Name} ({n.Role.SiteName()})";

    private static string ParentNetwork(SiteInventory site, BoxLinks.Parent parent)
    {
        var carries = new List<string>();
        if (parent.Untagged is { } u) carries.Add($"{Describe(u)} untagged");
        carries.AddRange(parent.Vlans.Select(v => $"VLAN {v.Vlan} ({v.Name})"));
        var w = Header($"{parent.Name}: {string.Join(", ", carries)}");
        w.Line("[Match]");
        w.Line($"Name={parent.Name}");
        w.Blank();
        w.Line("[Network]");
        foreach (var vlan in parent.Vlans) w.Line($"VLAN={vlan.Interface}");
        if (parent.Untagged is { } untagged) Addressing(w, site, untagged);
        else
        {
            // A link that only carries VLANs (a trunk port) has no address of its own: no IPv6 link-local address
            // either, so nothing of the box (router advertisements included) shows up untagged on the trunk.
            w.Line("LinkLocalAddressing=no");
            // Up at once, so its VLANs are created and configured before the cable is in, as theirs are.
            w.Line("ConfigureWithoutCarrier=yes");
        }
        return w.ToString();
    }

    private static string VlanNetdev(NetworkConfig vlan)
    {
        var w = Header($"{vlan.Interface}: VLAN {vlan.Vlan} on {vlan.ParentInterface}, {Describe(vlan)}");
        w.Line("[NetDev]");
        w.Line($"Name={vlan.Interface}");
        w.Line("Kind=vlan");
        w.Blank();
        w.Line("[VLAN]");
        w.Line($"Id={vlan.Vlan}");
        return w.ToString();
    }

    private static string VlanNetwork(SiteInventory site, NetworkConfig vlan)
    {
        var w = Header($"{vlan.Interface}: {Describe(vlan)}");
        w.Line("[Match]");
        w.Line($"Name={vlan.Interface}");
        w.Blank();
        w.Line("[Network]");
        Addressing(w, site, vlan);
        return w.ToString();
    }

    /// <summary>The [Network] settings of a link that carries one of the site's networks.</summary>
    private static void Addressing(LineWriter w, SiteInventory site, NetworkConfig n)
    {
        w.Line($"Address={n.Address}");
        if (n.Gateway is { } gateway) w.Line($"Gateway={gateway}");
        // DNS= and Domains= reach the resolver through systemd-resolved. Upstream resolvers go with the way out
        // of the site; the site's domain goes with the management network, where the operators' names live.
        foreach (var dns in BoxLinks.Dns(site, n)) w.Line($"DNS={dns}");
        if (n.Role == NetworkRole.Management && site.Site.Domain is { } domain) w.Line($"Domains={domain}");
        // The box's addresses exist before the link does (a VLAN waiting for its parent, a cable not yet in),
        // so its servers can bind to them at start; and 252's IgnoreCarrierLoss= follows this setting, so a
        // cable pulled and put back does not take the addresses away under the servers bound to them.
        w.Line("ConfigureWithoutCarrier=yes");
        if (BoxLinks.RefusesRouterAdvertisements(n)) w.Line("IPv6AcceptRA=no");
        // In systemd 252 this turns on the kernel's one IPv4 forwarding switch for every link (not only this
        // one); what is routed where is the firewall's forward chain's decision (policy drop), not this line's.
        if (BoxLinks.Routes(site, n)) w.Line("IPForward=ipv4");
    }
}
