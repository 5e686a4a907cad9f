using System.Collections.Immutable;

namespace NetbootPi.Agent.Apply.Network;

/// <summary>
/// A WireGuard <c>.netdev</c> file of ours read back: what the running tunnel must match. The applier brings the
/// kernel to it with <c>wg set</c>, because networkd never changes a netdev it has created (systemd issue 25547).
/// Reads only what <see cref="Render.Network.NetworkdWireGuard"/> writes; a file that is not a WireGuard netdev gives null.
/// </summary>
public sealed record WireGuardNetdev(string Interface, string PrivateKeyFile, int ListenPort, ImmutableArray<WireGuardNetdev.Peer> Peers)
{
    /// <summary>One <c>[WireGuardPeer]</c>.</summary>
    public sealed record Peer(string PublicKey, ImmutableArray<string> AllowedIps, string? PresharedKeyFile, int? Keepalive);

    public static WireGuardNetdev? Parse(string content)
    {
        string? section = null, name = null, kind = null, keyFile = null;
        var port = 0;
        var peers = new List<Peer>();
        Peer? peer = null;
        foreach (var raw in content.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line[0] == '[')
            {
                if (peer is not null) peers.Add(peer);
                section = line;
                peer = section == "[WireGuardPeer]" ? new Peer("", [], null, null) : null;
                continue;
            }
            var eq = line.IndexOf('=');
            if (eq <= 0) continue;
            var (key, value) = (line[..eq], line[(eq + 1)..]);
            switch (section, key)
            {
                case ("[NetDev]", "Name"): name = value; break;
                case ("[NetDev]", "Kind"): kind = value; break;
                case ("[WireGuard]", "PrivateKeyFile"): keyFile = value; break;
                case ("[WireGuard]", "ListenPort"): _ = int.TryParse(value, out port); break;
                case ("[WireGuardPeer]", "PublicKey"): peer = peer! with { PublicKey = value }; break;
                case ("[WireGuardPeer]", "AllowedIPs"): peer = peer! with { AllowedIps = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] }; break;
                case ("[WireGuardPeer]", "PresharedKeyFile"): peer = peer! with { PresharedKeyFile = value }; break;
                case ("[WireGuardPeer]", "PersistentKeepalive"): peer = peer! with { Keepalive = int.TryParse(value, out var k) ? k : null }; break;
            }
        }
        if (peer is not null) peers.Add(peer);
        return kind == "wireguard" && name is not null && keyFile is not null ? new WireGuardNetdev(name, keyFile, port, [.. peers]) : null;
    }

    /// <summary>
    /// The one <c>wg set</c> that brings a running tunnel whose peers have <paramref name="runningAllowedIps"/>
    /// (public key → allowed IPs, as <c>wg show INTERFACE allowed-ips</c> prints them) to this file: port and key,
    /// every wanted peer (set again, which changes nothing for one already right and never resets its session),
    /// and <c>remove</c> for the others. Null when the tunnel already matches.
    /// </summary>
    public IReadOnlyList<string>? SyncArguments(int runningPort, IReadOnlyDictionary<string, ImmutableArray<string>> runningAllowedIps)
    {
        var wanted = Peers.ToDictionary(p => p.PublicKey, StringComparer.Ordinal);
        var same = runningPort == ListenPort && runningAllowedIps.Count == wanted.Count
            && runningAllowedIps.All(r => wanted.TryGetValue(r.Key, out var p) && p.AllowedIps.Order(StringComparer.Ordinal).SequenceEqual(r.Value.Order(StringComparer.Ordinal)));
        if (same) return null;
        var args = new List<string> { "set", Interface, "listen-port", ListenPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "private-key", PrivateKeyFile };
        foreach (var p in Peers)
        {
            args.AddRange(["peer", p.PublicKey, "allowed-ips", string.Join(',', p.AllowedIps)]);
            if (p.PresharedKeyFile is { } psk) args.AddRange(["preshared-key", psk]);
            args.AddRange(["persistent-keepalive", p.Keepalive is { } k ? k.ToString(System.Globalization.CultureInfo.InvariantCulture) : "off"]);
        }
        foreach (var gone in runningAllowedIps.Keys.Where(k => !wanted.ContainsKey(k)).Order(StringComparer.Ordinal))
            args.AddRange(["peer", gone, "remove"]);
        return args;
    }

    /// <summary>
    /// True when <paramref name="to"/> differs from <paramref name="from"/> only by WireGuard peers added (and the
    /// routes to the networks behind them): a change that cannot cut anyone off, since every peer and every other
    /// file stays as it was, so it needs no confirm window. Removing, disabling or changing a peer is not this: the
    /// operator may be coming in through that very peer.
    /// </summary>
    public static bool OnlyAddsPeers(NetworkWanted? from, NetworkWanted to)
    {
        if (from is null || from.Backend != to.Backend || from.Nftables != to.Nftables || from.Management != to.Management
            || !from.Netctl.SequenceEqual(to.Netctl) || !from.Networkd.Keys.SequenceEqual(to.Networkd.Keys))
            return false;
        var added = false;
        foreach (var (name, next) in to.Networkd)
        {
            var was = from.Networkd[name];
            if (was == next) continue;
            if (Parse(was) is { } a && Parse(next) is { } b)
            {
                if (a.Interface != b.Interface || a.PrivateKeyFile != b.PrivateKeyFile || a.ListenPort != b.ListenPort
                    || b.Peers.Length <= a.Peers.Length || !a.Peers.All(p => b.Peers.Any(q => SamePeer(p, q))))
                    return false;
                added = true;
            }
            else if (!(name.EndsWith(".network", StringComparison.Ordinal) && LinesKept(was, next))) return false;
        }
        return added;
    }

    private static bool SamePeer(Peer a, Peer b) =>
        a.PublicKey == b.PublicKey && a.AllowedIps.SequenceEqual(b.AllowedIps) && a.PresharedKeyFile == b.PresharedKeyFile && a.Keepalive == b.Keepalive;

    /// <summary>Every line of <paramref name="was"/> is still in <paramref name="next"/> as often (routes were only added).</summary>
    private static bool LinesKept(string was, string next)
    {
        var counts = next.Split('\n').GroupBy(l => l, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var g in was.Split('\n').GroupBy(l => l, StringComparer.Ordinal))
            if (counts.GetValueOrDefault(g.Key) < g.Count()) return false;
        return true;
    }

    /// <summary>
    /// <c>wg show INTERFACE allowed-ips</c> read: per line a public key, a tab, and its allowed IPs separated by
    /// spaces (or <c>(none)</c>).
    /// </summary>
    public static Dictionary<string, ImmutableArray<string>> ParseAllowedIps(string output)
    {
        var result = new Dictionary<string, ImmutableArray<string>>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            if (fields.Length < 2) continue;
            result[fields[0]] = fields[1] == "(none)" ? [] : [.. fields[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        }
        return result;
    }
}
