using System.Collections.Immutable;
using NetbootPi.Agent.Site.Yaml;
using NetbootPi.Agent.WireGuard;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

// wireguard: the box's tunnel, and its peers from the site file and from the peers file `netbootpi wg peer` writes.
internal sealed partial class SiteReader
{
    private static readonly string[] WireGuardKeys =
        ["interface", "listen_port", "address", "endpoint", "reach", "dns", "masquerade", "peers_file", "peers"];
    private static readonly string[] PeerKeys = ["public_key", "address", "allowed_ips", "preshared_key_file", "keepalive", "enabled"];
    private static readonly string[] PeersFileKeys = ["peers"];

    // UDP ports the box itself listens on: a tunnel there would take them over or be refused.
    private static readonly int[] BoxUdpPorts = [53, 67, 68, 69, 547, 4011];

    /// <summary>The section as written; its networks are checked by <see cref="CheckWireGuard"/>.</summary>
    private (WireGuardSettings? Settings, YamlNode? Reach) ReadWireGuard(YamlNode node)
    {
        var m = Mapping(node, "wireguard", "a mapping with address, endpoint and peers", WireGuardKeys, ["address"]);
        if (m is null) return (null, null);
        var before = _errors.Count;
        var iface = m.TryGetValue("interface", out var i)
            ? Name(i, "wireguard.interface", "interface name", IsInterfaceName, "a Linux interface name like wg0, at most 15 characters")
            : WireGuardSettings.DefaultInterface;
        var port = m.TryGetValue("listen_port", out var lp)
            ? Integer(lp, "wireguard.listen_port", "a UDP port, 1-65535", 1, 65535)
            : WireGuardSettings.DefaultListenPort;
        if (port is { } p && BoxUdpPorts.Contains(p))
            Error(lp!, "wireguard.listen_port", $"port {p} is one the box's own servers use (DHCP, TFTP, DNS); expected another UDP port, like 51820");
        var address = m.TryGetValue("address", out var a) ? Cidr(a, "wireguard.address") : null;
        if (address is { } ad && (ad.Address == ad.Network.Address || ad.Address == ad.Network.BroadcastAddress) && ad.PrefixLength <= 30)
            Error(a!, "wireguard.address", $"{ad.Address} is the tunnel subnet's {(ad.Address == ad.Network.Address ? "network" : "broadcast")} address (expected the box's own address in it, like {new Ipv4Address(ad.Network.Address.Value + 1)}/{ad.PrefixLength})");
        string? endpoint = null;
        if (m.TryGetValue("endpoint", out var ep) && Scalar(ep, "wireguard.endpoint", "HOST:PORT that peers dial") is { } eps)
        {
            if (IsEndpoint(eps.Value)) endpoint = eps.Value;
            else Error(eps, "wireguard.endpoint", $"'{eps.Value}' is not HOST:PORT (expected the name or address peers dial, and the port, like vpn.example.org:51820)");
        }
        var reach = m.TryGetValue("reach", out var r) ? StringList(r, "wireguard.reach", "network names", (s, _) => s.Value) : [];
        var dns = m.TryGetValue("dns", out var d) ? List(d, "wireguard.dns", "IPv4 addresses", Ip) : [];
        var masquerade = m.TryGetValue("masquerade", out var mq) ? Boolean(mq, "wireguard.masquerade") : true;

        var peersFile = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(_file)) ?? "/", WireGuardSettings.DefaultPeersFile);
        if (m.TryGetValue("peers_file", out var pf) && String(pf, "wireguard.peers_file", "a file name, relative to the site file") is { } pfs)
            peersFile = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(_file)) ?? "/", pfs);

        var peers = new List<(WireGuardPeer Peer, YamlScalar Key, Dictionary<string, YamlNode> Fields)>();
        if (m.TryGetValue("peers", out var ps)) ReadPeers(ps, "wireguard.peers", _file, peers);
        if (File.Exists(peersFile)) ReadPeersFile(peersFile, pf ?? node, peers);

        if (iface is null || port is null || address is null || masquerade is null || _errors.Count != before) return (null, r);
        CheckPeers(address.Value, peers);
        if (_errors.Count != before) return (null, r);
        return (new WireGuardSettings(iface, port.Value, address.Value, endpoint, reach, dns, masquerade.Value, peersFile,
            [.. peers.Select(x => x.Peer)], node.Location), r);
    }

    private static bool IsEndpoint(string s)
    {
        var colon = s.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(s.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            return false;
        var host = s[..colon];
        return Ipv4Address.TryParse(host, out _) || IsDomainName(host) || (host.StartsWith('[') && host.EndsWith(']') && System.Net.IPAddress.TryParse(host[1..^1], out _));
    }

    private void ReadPeers(YamlNode node, string path, string file, List<(WireGuardPeer, YamlScalar, Dictionary<string, YamlNode>)> peers)
    {
        if (node is YamlScalar { IsNull: true }) return;
        if (node is not YamlMapping map)
        {
            Error(node, path, $"expected a mapping of peer names to peers, found {node.Describe()}");
            return;
        }
        foreach (var (key, value) in map.Entries)
        {
            var p = $"{path}.{key.Value}";
            if (!IsProfileName(key.Value))
            {
                Error(key, p, $"'{key.Value}' is not a valid peer name (expected lowercase letters, digits, '.', '-' or '_', like alice-laptop)");
                continue;
            }
            var f = Mapping(value, p, "a mapping with public_key and address", PeerKeys, ["public_key", "address"]);
            if (f is null) continue;
            var before = _errors.Count;
            WireGuardKey? publicKey = null;
            if (f.TryGetValue("public_key", out var pk) && Scalar(pk, $"{p}.public_key", "a WireGuard public key") is { } pks)
            {
                if (WireGuardKey.TryParse(pks.Value, out var k, out var problem)) publicKey = k;
                else Error(pks, $"{p}.public_key", $"not a WireGuard public key: {problem}");
            }
            var address = f.TryGetValue("address", out var ad) ? Ip(ad, $"{p}.address") : null;
            var allowed = f.TryGetValue("allowed_ips", out var al) ? List(al, $"{p}.allowed_ips", "subnets like 192.168.5.0/24", Subnet) : [];
            var psk = f.TryGetValue("preshared_key_file", out var ps) ? String(ps, $"{p}.preshared_key_file", "the path of a file holding a preshared key") : null;
            if (psk is not null && !Path.IsPathRooted(psk))
            {
                Error(ps!, $"{p}.preshared_key_file", $"'{psk}' is not an absolute path (expected the full path of a file holding the key, like /var/lib/netbootpi/wireguard/{key.Value}.psk)");
                psk = null;
            }
            var keepalive = f.TryGetValue("keepalive", out var ka) ? Integer(ka, $"{p}.keepalive", "seconds between keepalives, 1-65535", 1, 65535) : null;
            var enabled = f.TryGetValue("enabled", out var en) ? Boolean(en, $"{p}.enabled") : true;
            if (_errors.Count != before || publicKey is null || address is null || enabled is null) continue;
            peers.Add((new WireGuardPeer(key.Value, publicKey.Value, address.Value, allowed, psk, keepalive, enabled.Value, key.Location, file), key, f));
        }
    }

    /// <summary>The peers file: <c>peers:</c> alone, its errors located in that file.</summary>
    private void ReadPeersFile(string path, YamlNode namedAt, List<(WireGuardPeer, YamlScalar, Dictionary<string, YamlNode>)> peers)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (info.Length > SiteFile.MaxBytes)
            {
                Error(namedAt, "wireguard.peers_file", $"{path} is {info.Length} bytes (expected a peers file under {SiteFile.MaxBytes / 1024 / 1024} MiB)");
                return;
            }
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error(namedAt, "wireguard.peers_file", $"cannot read {path}: {Os.Files.FileErrors.Reason(e, path)}");
            return;
        }
        var root = YamlTreeReader.Read(path, text, _errors);
        if (root is null || root is YamlScalar { IsNull: true }) return;
        var m = Mapping(root, "(peers file)", "a mapping with peers (the file 'netbootpi wg peer add' writes)", PeersFileKeys);
        if (m is not null && m.TryGetValue("peers", out var ps)) ReadPeers(ps, "peers", path, peers);
    }

    /// <summary>Peers are told apart by name, key, address and the networks routed to them: none may share any.</summary>
    private void CheckPeers(Ipv4Interface tunnel, List<(WireGuardPeer Peer, YamlScalar Key, Dictionary<string, YamlNode> Fields)> peers)
    {
        for (var i = 0; i < peers.Count; i++)
        {
            var (a, aKey, aFields) = peers[i];
            var path = PeerPath(a);
            if (!tunnel.Network.Contains(a.Address))
                Error(aFields["address"], $"{path}.address", $"{a.Address} is outside the tunnel subnet {tunnel.Network} (expected an address in it)");
            else if (a.Address == tunnel.Address)
                Error(aFields["address"], $"{path}.address", $"{a.Address} is the box's own tunnel address (expected another address in {tunnel.Network})");
            else if (tunnel.PrefixLength <= 30 && (a.Address == tunnel.Network.Address || a.Address == tunnel.Network.BroadcastAddress))
                Error(aFields["address"], $"{path}.address", $"{a.Address} is the tunnel subnet's {(a.Address == tunnel.Network.Address ? "network" : "broadcast")} address (expected a host address in {tunnel.Network})");
            for (var k = 0; k < a.AllowedIps.Length; k++)
            {
                if (a.AllowedIps[k].Overlaps(tunnel.Network))
                    Error(AllowedAt(aFields, k), $"{path}.allowed_ips", $"{a.AllowedIps[k]} overlaps the tunnel subnet {tunnel.Network} (expected networks behind the peer; its tunnel address is routed to it already)");
            }
            for (var j = 0; j < i; j++)
            {
                var b = peers[j].Peer;
                var other = $"peer {b.Name} ({Where(b)})";
                if (a.Name == b.Name)
                    Error(aKey, path, $"a second peer named {a.Name} ({other}; expected each name once, across the site file and the peers file)");
                else if (a.PublicKey == b.PublicKey)
                    Error(aFields["public_key"], $"{path}.public_key", $"the same public key as {other} (expected each peer's own key)");
                else if (a.Address == b.Address)
                    Error(aFields["address"], $"{path}.address", $"{a.Address} is already {other}'s (expected each peer its own address)");
                for (var k = 0; k < a.AllowedIps.Length; k++)
                {
                    foreach (var hit in b.AllowedIps.Where(n => n.Overlaps(a.AllowedIps[k])).Take(1))
                        Error(AllowedAt(aFields, k), $"{path}.allowed_ips", $"{a.AllowedIps[k]} overlaps {hit} of {other} (expected each network routed to one peer: WireGuard sends a packet to one peer only)");
                }
            }
        }
    }

    private string PeerPath(WireGuardPeer p) => p.File == _file ? $"wireguard.peers.{p.Name}" : $"peers.{p.Name}";

    private static string Where(WireGuardPeer p) => $"{p.Location.File}:{p.Location.Line}";

    private static YamlNode AllowedAt(Dictionary<string, YamlNode> fields, int index) =>
        fields["allowed_ips"] is YamlSequence seq && index < seq.Items.Count ? seq.Items[index] : fields["allowed_ips"];

    /// <summary>
    /// The networks peers reach are the box's own (an interface to route to), the tunnel shares no address with
    /// the site's networks, and its interface is not one of theirs.
    /// </summary>
    private void CheckWireGuard(WireGuardSettings wg, YamlNode section, YamlNode? reachNode, List<Located<NetworkConfig>> networks)
    {
        var m = (YamlMapping)section;
        YamlNode At(string key) => m.Entries.FirstOrDefault(e => e.Key.Value == key).Value ?? section;
        var attached = networks.Where(n => !n.Value.IsRelayed).Select(n => n.Value.Name).ToArray();
        foreach (var n in networks.Select(n => n.Value))
        {
            if (n.Subnet.Overlaps(wg.Subnet))
                Error(At("address"), "wireguard.address", $"the tunnel {wg.Subnet} overlaps network {n.Name} {n.Subnet} (expected a subnet of its own, like 10.99.0.0/24)");
            if (n.Interface == wg.Interface || n.ParentInterface == wg.Interface)
                Error(At("interface"), "wireguard.interface", $"{wg.Interface} is network {n.Name}'s interface (expected an interface of its own, like wg0)");
            foreach (var peer in wg.Peers)
            {
                foreach (var hit in peer.AllowedIps.Where(a => a.Overlaps(n.Subnet)).Take(1))
                    _errors.Add(new SiteError(peer.Location, $"{PeerPath(peer)}.allowed_ips",
                        $"{hit} of peer {peer.Name} overlaps network {n.Name} {n.Subnet} (expected networks behind the peer, not the site's)"));
            }
        }
        if (reachNode is null) return;
        var items = reachNode is YamlSequence seq ? seq.Items : [reachNode];
        for (var i = 0; i < wg.Reach.Length && i < items.Count; i++)
        {
            var name = wg.Reach[i];
            var path = reachNode is YamlSequence ? $"wireguard.reach[{i}]" : "wireguard.reach";
            var n = networks.FirstOrDefault(x => x.Value.Name == name)?.Value;
            if (n is null)
            {
                var hint = Suggest(name, attached) is { } best ? $"did you mean '{best}'? " : "";
                Error(items[i], path, $"unknown network '{name}' ({hint}the box's networks: {string.Join(", ", attached)})");
            }
            else if (n.IsRelayed)
                Error(items[i], path, $"'{name}' is a relayed network: the box has no interface on it to route peers to (expected one of: {string.Join(", ", attached)})");
            else if (n.Role == NetworkRole.Wan)
                Error(items[i], path, $"'{name}' is a WAN network (expected the site's own networks; peers leave through their own uplink)");
        }
    }
}
