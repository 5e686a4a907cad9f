using NetbootPi.Agent.Render.Nfs;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Render.Network;

/// <summary>
/// Renders the <c>firewall:</c> section (and the roles' defaults) as one nftables table of ours, <c>table inet
/// netbootpi</c>, for <c>nft -f</c>: a pure function of the site. Its first lines create the table if it is missing
/// and delete it, so the one transaction <c>nft -f</c> makes replaces our table whether or not it existed and leaves
/// every other table alone.
/// </summary>
/// <remarks>
/// The input chain drops what the site does not open: per network (by its interface) the services
/// <see cref="BoxServices.On"/> gives, relayed networks' TFTP and HTTP from their subnets on the boot and
/// management networks' interfaces, NFS from the clients the exports name (and no one else), and what every link
/// needs (loopback, replies, IPv6 neighbour discovery). The
/// forward chain drops what the site does not route (<c>firewall.forward</c>, and masqueraded networks out of the
/// WAN). The box's own outgoing traffic is not filtered: there is no output chain. Interfaces are matched by
/// name (<c>iifname</c>), because a VLAN may not exist yet when the table is loaded and <c>iif</c> needs it to.
/// NAT is a chain of the same <c>inet</c> table (Linux 5.2 and later), so one table is all there is to replace.
/// </remarks>
public static class NftablesRuleset
{
    /// <summary>Our one table, as nft names it.</summary>
    public const string Table = "inet netbootpi";

    /// <summary>The ruleset text for <c>nft -f</c>.</summary>
    public static string Render(SiteInventory site)
    {
        var w = new LineWriter();
        w.Line("#!/usr/sbin/nft -f");
        w.Line("# Written by netbootpi from the site file; it replaces this table on every change (docs/network.md).");
        // "table" alone creates the table when it is missing, so the delete after it never fails: the whole
        // file is one transaction that replaces our table, loaded or not, and touches no other table.
        w.Line($"table {Table}");
        w.Line($"delete table {Table}");
        w.Blank();
        w.Line($"table {Table} {{");
        Input(w, site);
        w.Blank();
        var paths = BoxLinks.Paths(site);
        Forward(w, paths, site);
        var tunnelMasquerades = site.WireGuard is { Masquerade: true, Reach.Length: > 0 };
        if (paths.Any(p => p.Masquerade) || tunnelMasquerades)
        {
            w.Blank();
            Postrouting(w, paths, site);
        }
        w.Line("}");
        return w.ToString();
    }

    private static void Input(LineWriter w, SiteInventory site)
    {
        w.Line("\tchain input {");
        w.Line("\t\ttype filter hook input priority filter; policy drop;");
        w.Line("\t\tiif \"lo\" accept");
        // Replies to what the box sent, and the TFTP transfers its server answers from a port of their own.
        w.Line("\t\tct state established,related accept");
        w.Line("\t\tct state invalid drop");
        // IPv6 keeps working on every link: neighbour and router discovery, valid only from the link itself
        // (hop limit 255, RFC 4861 §6.1 and §7.1.1), and multicast listener queries, without which a snooping
        // switch stops sending the box the multicast that neighbour discovery rides on.
        w.Line("\t\t# IPv6 on every link: neighbour and router discovery, multicast listener queries");
        w.Line("\t\ticmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept");
        w.Line("\t\ticmpv6 type mld-listener-query ip6 saddr fe80::/10 accept");
        foreach (var n in site.Networks.Where(n => !n.IsRelayed))
        {
            var services = BoxServices.On(site, n);
            var iface = $"\"{n.Interface}\"";
            w.Line($"\t\t# {n.Name} ({n.Role.SiteName()}) on {n.Interface}: {(services.Count == 0 ? "nothing answers" : Names(services))}");
            foreach (var s in services) Accept(w, site, $"iifname {iface}", s, n.Dhcp.Mode == DhcpMode.Proxy);
        }
        // A relayed network's machines have their router's way to the box: to the address their relay forwards
        // DHCP to, which is on a boot or management network (docs/network.md), so that is where they come in.
        var entries = RelayEntries(site);
        foreach (var n in site.Networks.Where(n => n.IsRelayed && entries.Count > 0))
        {
            var services = BoxServices.On(site, n);
            var on = entries.Count == 1 ? entries[0] : $"{{ {string.Join(", ", entries)} }}";
            w.Line($"\t\t# {n.Name} (relayed, {n.Subnet}): {Names(services)} through its router");
            foreach (var s in services) Accept(w, site, $"iifname {on} ip saddr {n.Subnet}", s, proxy: false);
        }
        NfsInput(w, site);
        if (site.WireGuard is { } wg) TunnelInput(w, site, wg);
        w.Line("\t}");
    }

    /// <summary>
    /// NFS from the exports' clients only (<see cref="NfsExports"/>): each per-host root's one address, each
    /// shared-ro root's subnets, on the interface of the network they are on (a relayed network's through the boot
    /// and management networks', as its other services). rpcbind, nfsd and mountd at its pinned port, TCP and UDP
    /// (a booting kernel may ask over either). The export is what stops one host mounting another's root; the rule
    /// keeps everyone else from even asking.
    /// </summary>
    private static void NfsInput(LineWriter w, SiteInventory site)
    {
        var byNetwork = new Dictionary<NetworkConfig, List<string>>();
        foreach (var client in NfsExports.Render(site).Exports.SelectMany(e => e.Clients).Select(c => c.Client).Distinct(StringComparer.Ordinal))
        {
            var first = client.Split('/')[0];
            if (!Ipv4Address.TryParse(first, out var address) || site.NetworkContaining(address) is not { } network) continue;
            if (!byNetwork.TryGetValue(network, out var list)) byNetwork[network] = list = [];
            list.Add(client);
        }
        if (byNetwork.Count == 0) return;
        var ports = $"{{ {string.Join(", ", NfsExports.Ports)} }}";
        w.Line($"\t\t# NFS (rpcbind, nfsd, mountd: {string.Join(", ", NfsExports.Ports)}) from the exports' clients only");
        var entries = RelayEntries(site);
        foreach (var n in site.Networks.Where(byNetwork.ContainsKey))
        {
            // An address inside a subnet of the same list says nothing more, and nft refuses overlapping elements.
            var subnets = byNetwork[n].Select(c => Ipv4Network.TryParse(c, out var net) && c.Contains('/') ? net : (Ipv4Network?)null).OfType<Ipv4Network>().ToList();
            var from = byNetwork[n].Where(c => c.Contains('/') || !subnets.Any(s => s.Contains(Ipv4Address.Parse(c))))
                .OrderBy(c => Ipv4Address.Parse(c.Split('/')[0]).Value).ThenBy(c => c, StringComparer.Ordinal).ToList();
            var saddr = from.Count == 1 ? from[0] : $"{{ {string.Join(", ", from)} }}";
            string iface;
            if (!n.IsRelayed) iface = $"\"{n.Interface}\"";
            else if (entries.Count == 0) continue;
            else iface = entries.Count == 1 ? entries[0] : $"{{ {string.Join(", ", entries)} }}";
            w.Line($"\t\tiifname {iface} ip saddr {saddr} tcp dport {ports} accept");
            w.Line($"\t\tiifname {iface} ip saddr {saddr} udp dport {ports} accept");
        }
    }

    /// <summary>
    /// The tunnel: its port open everywhere (WireGuard answers nothing to a packet without a known key, so an open
    /// port shows nothing to a scanner); from the tunnel, ping on the box's tunnel address, and on each reached
    /// network's box address what answers on that network (DHCP aside, which means nothing through a tunnel).
    /// </summary>
    private static void TunnelInput(LineWriter w, SiteInventory site, WireGuardSettings wg)
    {
        w.Line($"\t\t# WireGuard {wg.Interface}: peers dial from anywhere; only known keys get an answer");
        w.Line($"\t\tudp dport {wg.ListenPort} accept");
        var iface = $"iifname \"{wg.Interface}\"";
        w.Line($"\t\t# from the tunnel: ping on the box's tunnel address{(wg.Reach.Length > 0 ? $", and what answers on {string.Join(", ", wg.Reach)}" : "")}");
        w.Line($"\t\t{iface} ip daddr {wg.Address.Address} icmp type echo-request accept");
        foreach (var name in wg.Reach)
        {
            var n = site.FindNetwork(name)!;
            foreach (var s in BoxServices.On(site, n).Where(s => s != BoxService.Dhcp))
                Accept(w, site, $"{iface} ip daddr {n.BoxAddress}", s, proxy: false);
        }
    }

    /// <summary>The interfaces a relayed network's machines come in on, quoted: the boot and management networks'.</summary>
    private static List<string> RelayEntries(SiteInventory site) =>
        site.Networks.Where(n => !n.IsRelayed && n.Role is NetworkRole.Boot or NetworkRole.Management).Select(n => $"\"{n.Interface}\"").ToList();

    /// <summary>One rule per protocol a service answers on: <paramref name="match"/> says where from.</summary>
    private static void Accept(LineWriter w, SiteInventory site, string match, BoxService service, bool proxy)
    {
        switch (service)
        {
            case BoxService.Dhcp:
                // ProxyDHCP clients come back to port 4011 with their boot request (PXE spec §2.2.5).
                w.Line($"\t\t{match} udp dport {(proxy ? "{ 67, 4011 }" : "67")} accept");
                break;
            case BoxService.Tftp:
                w.Line($"\t\t{match} udp dport 69 accept");
                break;
            case BoxService.Http:
                w.Line($"\t\t{match} tcp dport {site.Server.HttpPort} accept");
                break;
            case BoxService.Ssh:
                w.Line($"\t\t{match} tcp dport 22 accept");
                break;
            case BoxService.Api:
                w.Line(site.Server.ApiHttpPort is { } redirect
                    ? $"\t\t{match} tcp dport {{ {site.Server.ApiPort}, {redirect} }} accept"
                    : $"\t\t{match} tcp dport {site.Server.ApiPort} accept");
                break;
            case BoxService.Dns:
                w.Line($"\t\t{match} udp dport 53 accept");
                w.Line($"\t\t{match} tcp dport 53 accept");
                break;
            case BoxService.Ping:
                w.Line($"\t\t{match} icmp type echo-request accept");
                if (!match.Contains(" ip daddr ", StringComparison.Ordinal)) w.Line($"\t\t{match} icmpv6 type echo-request accept");
                break;
        }
    }

    private static string Names(IEnumerable<BoxService> services) => string.Join(", ", services.Select(s => s.ToString().ToLowerInvariant()));

    private static void Forward(LineWriter w, IReadOnlyList<BoxLinks.Path> paths, SiteInventory site)
    {
        var wg = site.WireGuard;
        w.Line("\tchain forward {");
        w.Line("\t\ttype filter hook forward priority filter; policy drop;");
        w.Line("\t\tct state established,related accept");
        w.Line("\t\tct state invalid drop");
        if (paths.Count == 0 && wg is not { Reach.Length: > 0 }) w.Line("\t\t# the site routes nothing between the box's networks");
        foreach (var p in paths)
        {
            w.Line($"\t\t# {p.From.Name} to {p.To.Name}{(p.Masquerade ? " (masqueraded)" : "")}");
            w.Line($"\t\tiifname \"{p.From.Interface}\" oifname \"{p.To.Interface}\" accept");
        }
        // Peers into the networks the site opens to them; nothing routes into the tunnel but replies.
        if (wg is { Reach.Length: > 0 })
        {
            w.Line($"\t\t# the WireGuard tunnel to {string.Join(", ", wg.Reach)}{(wg.Masquerade ? " (masqueraded)" : "")}");
            foreach (var name in wg.Reach)
                w.Line($"\t\tiifname \"{wg.Interface}\" oifname \"{site.FindNetwork(name)!.Interface}\" accept");
        }
        w.Line("\t}");
    }

    private static void Postrouting(LineWriter w, IReadOnlyList<BoxLinks.Path> paths, SiteInventory site)
    {
        w.Line("\tchain postrouting {");
        w.Line("\t\ttype nat hook postrouting priority srcnat; policy accept;");
        // By source subnet: the box's own traffic out of the WAN already has the box's WAN address.
        foreach (var p in paths.Where(p => p.Masquerade))
        {
            w.Line($"\t\t# {p.From.Name} leaves through {p.To.Name} with the box's address");
            w.Line($"\t\toifname \"{p.To.Interface}\" ip saddr {p.From.Subnet} masquerade");
        }
        if (site.WireGuard is { Masquerade: true, Reach.Length: > 0 } wg)
        {
            foreach (var n in wg.Reach.Select(r => site.FindNetwork(r)!))
            {
                w.Line($"\t\t# the WireGuard tunnel into {n.Name} with the box's address there");
                w.Line($"\t\toifname \"{n.Interface}\" ip saddr {wg.Subnet} masquerade");
            }
        }
        w.Line("\t}");
    }
}
