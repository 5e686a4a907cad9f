using System.Collections.Immutable;

using System.Globalization;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.WireGuard;

namespace NetbootPi.Agent.Render.Network;

/// <summary>
/// The box's WireGuard tunnel as the kernel must have it: port, key file, enabled peers. Made from the site
/// (<see cref="From"/>), it is what both backends render (a networkd <c>.netdev</c>, a netctl profile's
/// <c>wg set</c>); read back from a rendered file (<see cref="Parse"/>), it is what the applier brings a running
/// tunnel to with <c>wg set</c>, because neither networkd (issue 25547) nor netctl changes a tunnel they created.
/// </summary>
public sealed record WireGuardTunnel(string Interface, string PrivateKeyFile, int ListenPort, ImmutableArray<WireGuardTunnel.Peer> Peers)
{
    /// <summary>One <c>[WireGuardPeer]</c>.</summary>
    public sealed record Peer(string PublicKey, ImmutableArray<string> AllowedIps, string? PresharedKeyFile, int? Keepalive);

    /// <summary>The tunnel the site's <c>wireguard:</c> section wants.</summary>
    public static WireGuardTunnel From(SiteInventory site, WireGuardSettings wg) => new(wg.Interface,
        WireGuardKeyFile.PathFor(site.Server.StateDirectory, wg.Interface), wg.ListenPort,
        [.. wg.EnabledPeers.Select(p => new Peer(p.PublicKey.ToString(), [.. p.Routes.Select(r => r.ToString())], p.PresharedKeyFile, p.Keepalive))]);

    /// <summary>
    /// The <c>wg set</c> arguments that give an interface this port, key and peers (peers it has beside them stay:
    /// see <see cref="SyncArguments"/>).
    /// </summary>
    public IReadOnlyList<string> SetArguments()
    {
        var args = new List<string> { "set", Interface, "listen-port", ListenPort.ToString(CultureInfo.InvariantCulture), "private-key", PrivateKeyFile };
        foreach (var p in Peers)
        {
            args.AddRange(["peer", p.PublicKey, "allowed-ips", string.Join(',', p.AllowedIps)]);
            if (p.PresharedKeyFile is { } psk) args.AddRange(["preshared-key", psk]);
            args.AddRange(["persistent-keepalive", p.Keepalive is { } k ? k.ToString(CultureInfo.InvariantCulture) : "off"]);
        }
        return args;
    }

    /// <summary>A rendered file read back: a networkd <c>.netdev</c> or a netctl profile of a tunnel; null for anything else.</summary>
    public static WireGuardTunnel? Parse(string content) =>
        content.Contains("\nConnection=wireguard\n", StringComparison.Ordinal) ? ParseNetctl(content) : ParseNetdev(content);

    /// <summary>A netctl profile: its <c>ExecUpPost=</c>'s <c>wg set</c>, as <see cref="SetArguments"/> wrote it.</summary>
    private static WireGuardTunnel? ParseNetctl(string content)
    {
        var line = content.Split('\n').FirstOrDefault(l => l.StartsWith("ExecUpPost=", StringComparison.Ordinal));
        if (line is null) return null;
        var words = ShellWords(ShellWords(line["ExecUpPost=".Length..]).FirstOrDefault() ?? "");
        if (words.Count < 7 || words[0] != "wg" || words[1] != "set" || words[3] != "listen-port" || words[5] != "private-key") return null;
        if (!int.TryParse(words[4], NumberStyles.None, CultureInfo.InvariantCulture, out var port)) return null;
        var peers = new List<Peer>();
        var i = 7;
        while (i + 1 < words.Count && words[i] == "peer")
        {
            var peer = new Peer(words[i + 1], [], null, null);
            i += 2;
            for (; i + 1 < words.Count && words[i] != "peer" && words[i] != ";"; i += 2)
            {
                peer = words[i] switch
                {
                    "allowed-ips" => peer with { AllowedIps = [.. words[i + 1].Split(',', StringSplitOptions.RemoveEmptyEntries)] },
                    "preshared-key" => peer with { PresharedKeyFile = words[i + 1] },
                    "persistent-keepalive" => peer with { Keepalive = int.TryParse(words[i + 1], out var k) ? k : null },
                    _ => peer,
                };
            }
            peers.Add(peer);
        }
        return new WireGuardTunnel(words[2], words[6], port, [.. peers]);
    }

    /// <summary>Bash words: split at blanks, single quotes kept together (and <c>'\''</c> as a quote), <c>;</c> a word of its own.</summary>
    private static List<string> ShellWords(string text)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        var any = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\'')
            {
                var end = text.IndexOf('\'', i + 1);
                if (end < 0) end = text.Length;
                word.Append(text, i + 1, end - i - 1);
                any = true;
                i = end;
            }
            else if (c == '\\' && i + 1 < text.Length) { word.Append(text[++i]); any = true; }
            else if (c is ' ' or '\t' or ';')
            {
                if (any) words.Add(word.ToString());
                word.Clear();
                any = false;
                if (c == ';') words.Add(";");
            }
            else { word.Append(c); any = true; }
        }
        if (any) words.Add(word.ToString());
        return words;
    }

    private static WireGuardTunnel? ParseNetdev(string content)
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
        return kind == "wireguard" && name is not null && keyFile is not null ? new WireGuardTunnel(name, keyFile, port, [.. peers]) : null;
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
        var args = SetArguments().ToList();
        foreach (var gone in runningAllowedIps.Keys.Where(k => !wanted.ContainsKey(k)).Order(StringComparer.Ordinal))
            args.AddRange(["peer", gone, "remove"]);
        return args;
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
