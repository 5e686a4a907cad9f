using NetbootPi.Agent.Render.Network;

namespace NetbootPi.Agent.Apply.Network;

/// <summary>What a change to the box's network does to its WireGuard tunnel, for the confirm window and the applier.</summary>
public static class TunnelChanges
{
    /// <summary>
    /// True when <paramref name="to"/> differs from <paramref name="from"/> only by WireGuard peers added (and the
    /// routes to the networks behind them): a change that cannot cut anyone off, since every peer and every other
    /// file stays as it was, so it needs no confirm window. Removing, disabling or changing a peer is not this: the
    /// operator may be coming in through that very peer.
    /// </summary>
    public static bool OnlyAddsPeers(NetworkWanted? from, NetworkWanted to)
    {
        if (from is null || from.Backend != to.Backend || from.Nftables != to.Nftables || from.Management != to.Management
            || !from.Networkd.Keys.SequenceEqual(to.Networkd.Keys) || !from.Netctl.Keys.SequenceEqual(to.Netctl.Keys))
            return false;
        var added = false;
        foreach (var (files, netctl) in new[] { (to.Networkd, false), (to.Netctl, true) })
        {
            foreach (var (name, next) in files)
            {
                var was = (netctl ? from.Netctl : from.Networkd)[name];
                if (was == next) continue;
                if (WireGuardTunnel.Parse(was) is { } a && WireGuardTunnel.Parse(next) is { } b)
                {
                    if (a.Interface != b.Interface || a.PrivateKeyFile != b.PrivateKeyFile || a.ListenPort != b.ListenPort
                        || b.Peers.Length <= a.Peers.Length || !a.Peers.All(p => b.Peers.Any(q => SamePeer(p, q)))
                        || (netctl && !OnlyTunnelSettingsDiffer(was, next)))
                        return false;
                    added = true;
                }
                else if (netctl || !(name.EndsWith(".network", StringComparison.Ordinal) && LinesKept(was, next))) return false;
            }
        }
        return added;
    }

    private static bool SamePeer(WireGuardTunnel.Peer a, WireGuardTunnel.Peer b) =>
        a.PublicKey == b.PublicKey && a.AllowedIps.SequenceEqual(b.AllowedIps) && a.PresharedKeyFile == b.PresharedKeyFile && a.Keepalive == b.Keepalive;

    /// <summary>
    /// True when two netctl profiles are the same tunnel and differ only in its WireGuard settings (the peers in
    /// <c>ExecUpPost=</c>, and the description that counts them): the running tunnel is changed with <c>wg set</c>
    /// instead of a restart of its unit, which would cut every session. Any other change (its address, the routes
    /// to networks behind peers) restarts it, as netctl has no reload.
    /// </summary>
    public static bool OnlyTunnelSettingsDiffer(string was, string next)
    {
        if (WireGuardTunnel.Parse(was) is not { } a || WireGuardTunnel.Parse(next) is not { } b || a.Interface != b.Interface) return false;
        static IEnumerable<string> Rest(string text) => text.Split('\n').Where(l => !l.StartsWith("ExecUpPost=", StringComparison.Ordinal) && !l.StartsWith("Description=", StringComparison.Ordinal));
        return Rest(was).SequenceEqual(Rest(next));
    }

    /// <summary>Every line of <paramref name="was"/> is still in <paramref name="next"/> as often (routes were only added).</summary>
    private static bool LinesKept(string was, string next)
    {
        var counts = next.Split('\n').GroupBy(l => l, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var g in was.Split('\n').GroupBy(l => l, StringComparer.Ordinal))
            if (counts.GetValueOrDefault(g.Key) < g.Count()) return false;
        return true;
    }

}
