using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Render.Network;

/// <summary>
/// Renders the box's own network as Arch netctl profiles for <see cref="Directory"/>: a pure function of the site,
/// the second backend beside networkd (<c>server.network_backend: netctl</c>). One profile per interface that
/// carries networks (an <c>ethernet</c> profile: with the address of the network untagged on it, or with
/// <c>IP=no</c> when it only carries VLANs) and one <c>vlan</c> profile per VLAN. Each runs as its
/// <see cref="NetctlProfile.Unit"/>. Relayed networks produce nothing.
/// </summary>
/// <remarks>
/// Profiles are named <see cref="Prefix"/> + their interface: interfaces are unique on a box, so two profiles never
/// share a name (network names could: a network named like another's interface), and every profile with the prefix
/// is ours while no other is. Profiles are bash; every value is single-quoted except <c>Interface=</c>, which
/// netctl wants bare (<c>netctl switch-to</c> greps for it).
/// </remarks>
public static class NetctlProfiles
{
    /// <summary>Where the profiles go.</summary>
    public const string Directory = "/etc/netctl";

    /// <summary>The start of every profile name we write there, and of no other.</summary>
    public const string Prefix = "netbootpi-";

    /// <summary>True for a file in <see cref="Directory"/> that is one of our profiles; false for anyone else's.</summary>
    public static bool IsOurs(string fileName) => fileName.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The profiles, per interface in the order the site names them: the interface's own, then its VLANs' by id.</summary>
    public static IReadOnlyList<NetctlProfile> Render(SiteInventory site)
    {
        var profiles = new List<NetctlProfile>();
        foreach (var parent in BoxLinks.Parents(site))
        {
            var parentProfile = Prefix + parent.Name;
            profiles.Add(new NetctlProfile(parentProfile, ParentProfile(site, parent)));
            foreach (var vlan in parent.Vlans)
                profiles.Add(new NetctlProfile(Prefix + vlan.Interface, VlanProfile(site, vlan, parentProfile)));
        }
        if (site.WireGuard is { } wg) profiles.Add(new NetctlProfile(Prefix + wg.Interface, TunnelProfile(site, wg)));
        return profiles;
    }

    private static LineWriter Header()
    {
        var w = new LineWriter();
        w.Line("# Written by netbootpi from the site file; it replaces this profile on every change (docs/network.md).");
        return w;
    }

    private static string Describe(NetworkConfig n) => $"network {n.Name} ({n.Role.SiteName()})";

    private static string ParentProfile(SiteInventory site, BoxLinks.Parent parent)
    {
        var carries = new List<string>();
        if (parent.Untagged is { } u) carries.Add($"{Describe(u)} untagged");
        carries.AddRange(parent.Vlans.Select(v => $"VLAN {v.Vlan} ({v.Name})"));
        var w = Header();
        w.Line($"Description={Quote($"netbootpi: {parent.Name}, {string.Join(", ", carries)}")}");
        w.Line($"Interface={parent.Name}");
        w.Line("Connection=ethernet");
        if (parent.Untagged is { } untagged) Addressing(w, site, untagged);
        else
        {
            // A trunk port has no address of its own; IP6=no also keeps it without an IPv6 link-local address
            // (netctl sets disable_ipv6 on it alone: its VLANs keep theirs), so nothing of the box is untagged.
            w.Line("IP=no");
            w.Line("IP6=no");
            w.Line("SkipNoCarrier=yes");
        }
        // netctl refuses to start a profile whose interface is already up, and a VLAN profile brings its parent
        // up itself (lib/connections/vlan): with this, starting the parent's profile after a VLAN's still works.
        if (!parent.Vlans.IsEmpty) w.Line("ForceConnect=yes");
        return w.ToString();
    }

    private static string VlanProfile(SiteInventory site, NetworkConfig vlan, string parentProfile)
    {
        var w = Header();
        w.Line($"Description={Quote($"netbootpi: {vlan.Interface}, VLAN {vlan.Vlan} on {vlan.ParentInterface}, {Describe(vlan)}")}");
        w.Line($"Interface={vlan.Interface}");
        w.Line("Connection=vlan");
        w.Line($"BindsToInterfaces=({Quote(vlan.ParentInterface!)})");
        w.Line($"VLANID={vlan.Vlan}");
        // Started after the parent's profile, so the parent is set up as its profile says (a bare trunk's IPv6
        // off before the link first goes up) before a VLAN brings it up; an ordering only, as After= always is.
        w.Line($"After=({Quote(parentProfile)})");
        Addressing(w, site, vlan);
        return w.ToString();
    }

    /// <summary>
    /// The WireGuard tunnel (netctl's <c>wireguard</c> connection). Its WireGuard settings are not in a wg config
    /// file, which would have to hold the private key itself: the profile reads an empty one and sets port, key
    /// file and peers with one <c>wg set</c> once the link is up. The same <c>wg set</c> brings a running tunnel to
    /// a changed profile without restarting it (<see cref="WireGuardTunnel"/>).
    /// </summary>
    private static string TunnelProfile(SiteInventory site, WireGuardSettings wg)
    {
        var tunnel = WireGuardTunnel.From(site, wg);
        var disabled = wg.Peers.Where(p => !p.Enabled).Select(p => p.Name).ToList();
        var w = Header();
        w.Line($"Description={Quote($"netbootpi: {wg.Interface}, the WireGuard tunnel {wg.Address}, {tunnel.Peers.Length} peer{(tunnel.Peers.Length == 1 ? "" : "s")}{(disabled.Count > 0 ? $" (disabled, left out: {string.Join(", ", disabled)})" : "")}")}");
        w.Line($"Interface={wg.Interface}");
        w.Line("Connection=wireguard");
        w.Line("WGConfigFile=/dev/null");
        w.Line("IP=static");
        w.Line($"Address=({Quote(wg.Address.ToString())})");
        var routes = wg.EnabledPeers.SelectMany(p => p.AllowedIps).Select(n => Quote(n.ToString())).ToList();
        if (routes.Count > 0) w.Line($"Routes=({string.Join(' ', routes)})");
        var up = string.Join(' ', new[] { "wg" }.Concat(tunnel.SetArguments()).Select(ShellWord));
        // Tunnel traffic to the reached networks is routed, as networkd's IPForward= on wg0 has it.
        if (wg.Reach.Length > 0) up += "; sysctl -q -w net.ipv4.ip_forward=1";
        w.Line($"ExecUpPost={Quote(up)}");
        return w.ToString();
    }

    /// <summary>A word for the shell that netctl's <c>eval</c> reads: as it is when it is plain, quoted otherwise.</summary>
    private static string ShellWord(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@,+%".Contains(c)) ? word : Quote(word);

    /// <summary>The IP settings of an interface that carries one of the site's networks.</summary>
    private static void Addressing(LineWriter w, SiteInventory site, NetworkConfig n)
    {
        w.Line("IP=static");
        w.Line($"Address=({Quote($"{n.Address}")})");
        if (n.Gateway is { } gateway) w.Line($"Gateway={Quote(gateway.ToString())}");
        var dns = BoxLinks.Dns(site, n);
        if (!dns.IsEmpty)
        {
            w.Line($"DNS=({string.Join(' ', dns.Select(a => Quote(a.ToString())))})");
            // netctl hands resolv.conf lines to resolvconf only for a profile with DNS=, and resolv.conf is one
            // list for the whole box: the search domain goes where the resolvers go (networkd puts it on the
            // management network, which systemd-resolved keeps per link).
            if (site.Site.Domain is { } domain) w.Line($"DNSSearch={Quote(domain)}");
        }
        // static with no Address6: the kernel's link-local address stays (the box's router advertisements are
        // sent from it) and netctl sets accept_ra=0, as networkd's IPv6AcceptRA=no does.
        if (BoxLinks.RefusesRouterAdvertisements(n)) w.Line("IP6=static");
        // The box's addresses exist before the link has a carrier, so its servers can bind to them at start
        // (networkd's ConfigureWithoutCarrier=yes); netctl otherwise gives up after 5 s without a cable.
        w.Line("SkipNoCarrier=yes");
        // netctl has no forwarding setting; networkd 252's IPForward=ipv4 flips this same one switch, and the
        // firewall's forward chain (policy drop) decides what is routed.
        if (BoxLinks.Routes(site, n)) w.Line($"ExecUpPost={Quote("sysctl -q -w net.ipv4.ip_forward=1")}");
    }

    /// <summary>A bash single-quoted word: nothing inside is expanded, a quote is closed, escaped and reopened.</summary>
    internal static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
