using NetbootPi.Agent.Site;
using NetbootPi.Agent.WireGuard;

namespace NetbootPi.Agent.Render.Network;

/// <summary>
/// The <c>wireguard:</c> section as systemd-networkd files: a <c>.netdev</c> that creates the tunnel with its key
/// file, port and enabled peers, and a <c>.network</c> with the box's tunnel address and routes to the networks
/// behind peers. Disabled peers are left out (with a comment naming them), so the box drops their packets.
/// </summary>
/// <remarks>
/// networkd (252) creates a netdev from its file once and never changes it after (systemd issue 25547): peers
/// added or removed later reach the running tunnel through <c>wg set</c>, which the network applier runs from this
/// same file (<see cref="WireGuardTunnel"/>), so the file and the kernel never disagree and no peer's session drops.
/// </remarks>
internal static class NetworkdWireGuard
{
    public static IEnumerable<NetworkFile> Render(SiteInventory site)
    {
        if (site.WireGuard is not { } wg) yield break;
        yield return new NetworkFile($"{NetworkdFiles.Prefix}{wg.Interface}.netdev", Netdev(site, wg));
        yield return new NetworkFile($"{NetworkdFiles.Prefix}{wg.Interface}.network", Network(wg));
    }

    private static LineWriter Header(string about)
    {
        var w = new LineWriter();
        w.Line("# Written by netbootpi from the site file; it replaces this file on every change (docs/wireguard.md).");
        w.Line($"# {about}");
        return w;
    }

    private static string Netdev(SiteInventory site, WireGuardSettings wg)
    {
        var enabled = wg.EnabledPeers.ToList();
        var disabled = wg.Peers.Where(p => !p.Enabled).Select(p => p.Name).ToList();
        var w = Header($"{wg.Interface}: the WireGuard tunnel {wg.Address}, {Count(enabled.Count)}{(disabled.Count > 0 ? $" (disabled, left out: {string.Join(", ", disabled)})" : "")}");
        w.Line("[NetDev]");
        w.Line($"Name={wg.Interface}");
        w.Line("Kind=wireguard");
        w.Blank();
        w.Line("[WireGuard]");
        w.Line($"PrivateKeyFile={WireGuardKeyFile.PathFor(site.Server.StateDirectory, wg.Interface)}");
        w.Line($"ListenPort={wg.ListenPort}");
        foreach (var peer in enabled)
        {
            w.Blank();
            w.Line($"# {peer.Name}");
            w.Line("[WireGuardPeer]");
            w.Line($"PublicKey={peer.PublicKey}");
            w.Line($"AllowedIPs={string.Join(",", peer.Routes)}");
            if (peer.PresharedKeyFile is { } psk) w.Line($"PresharedKeyFile={psk}");
            if (peer.Keepalive is { } k) w.Line($"PersistentKeepalive={k}");
        }
        return w.ToString();
    }

    private static string Count(int peers) => peers == 1 ? "1 peer" : $"{peers} peers";

    private static string Network(WireGuardSettings wg)
    {
        var w = Header($"{wg.Interface}: the box's address in the tunnel; peers reach {(wg.Reach.Length == 0 ? "only the box's tunnel address" : string.Join(", ", wg.Reach))}");
        w.Line("[Match]");
        w.Line($"Name={wg.Interface}");
        w.Blank();
        w.Line("[Network]");
        w.Line($"Address={wg.Address}");
        // Tunnel traffic to the reached networks is routed (what reaches where is the firewall's forward chain).
        if (wg.Reach.Length > 0) w.Line("IPForward=ipv4");
        foreach (var peer in wg.EnabledPeers.Where(p => p.AllowedIps.Length > 0))
        {
            foreach (var net in peer.AllowedIps)
            {
                w.Blank();
                w.Line($"# behind {peer.Name}");
                w.Line("[Route]");
                w.Line($"Destination={net}");
            }
        }
        return w.ToString();
    }
}
