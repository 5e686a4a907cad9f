using System.Collections.Immutable;
using System.Text.RegularExpressions;
using NetbootPi.Agent.Site.Yaml;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

internal sealed partial class SiteReader
{
    private static readonly string[] TopKeys = ["site", "server", "networks", "profiles", "defaults", "hosts"];
    private static readonly string[] SiteKeys = ["name", "domain", "upstream_dns", "ssh_keys"];
    private static readonly string[] ServerKeys = ["state_dir", "data_dir", "http_port", "tftp_root", "loaders"];
    private static readonly string[] LoaderKeys = ["bios", "uefi", "arm64"];
    private static readonly string[] NetworkKeys = ["interface", "vlan", "address", "gateway", "relay", "subnet", "dhcp"];
    private static readonly string[] DhcpKeys = ["mode", "range", "lease", "router", "dns"];
    private static readonly string[] DefaultsKeys = ["profile"];
    private static readonly string[] HostKeys = ["mac", "ip", "profile", "pi_serial"];

    private SiteInventory? ReadDocument(YamlNode root)
    {
        var top = Mapping(root, "(document)", "a mapping with the sections site, networks, profiles, defaults and hosts",
            TopKeys, ["site", "networks"]);
        if (top is null) return null;

        var site = top.TryGetValue("site", out var s) ? ReadSite(s) : null;
        var server = top.TryGetValue("server", out var sv) ? ReadServer(sv) : ServerSettings.Default;
        var networksBefore = _errors.Count;
        var networks = top.TryGetValue("networks", out var n) ? ReadNetworks(n) : [];
        // A host address can only be placed when every network could be read; otherwise say nothing about it.
        _networksComplete = _errors.Count == networksBefore;
        var profiles = top.TryGetValue("profiles", out var p) ? ReadProfiles(p) : [];
        _declaredProfiles = p is YamlMapping pm ? pm.Entries.Select(e => e.Key.Value).ToHashSet(StringComparer.Ordinal) : [];
        var (defaultProfile, defaultNode) = top.TryGetValue("defaults", out var d) ? ReadDefaults(d) : (SiteInventory.NoProfile, null);
        var hosts = top.TryGetValue("hosts", out var h) ? ReadHosts(h) : [];

        CheckNetworks(networks);
        CheckProfiles(profiles);
        if (defaultNode is not null) CheckProfileReference(defaultNode, "defaults.profile", defaultProfile, profiles);
        CheckHosts(hosts, networks, profiles, site?.Domain);

        if (site is null || _errors.Count > 0) return null;
        return new SiteInventory(site, server ?? ServerSettings.Default,
            [.. networks.Select(x => x.Value)], [.. profiles.Select(x => x.Value)], defaultProfile,
            [.. hosts.Select(x => x.Value)]);
    }

    private bool _networksComplete;
    private HashSet<string> _declaredProfiles = [];

    private SiteSettings? ReadSite(YamlNode node)
    {
        var m = Mapping(node, "site", "a mapping with name, domain, upstream_dns and ssh_keys", SiteKeys, ["name"]);
        if (m is null) return null;
        var name = m.TryGetValue("name", out var n) ? String(n, "site.name", "the site's name") : null;
        string? domain = null;
        if (m.TryGetValue("domain", out var dn))
            domain = Name(dn, "site.domain", "domain name", IsDomainName, "DNS labels of letters, digits and '-' separated by dots, like netsoc.internal");
        var upstream = m.TryGetValue("upstream_dns", out var u) ? List(u, "site.upstream_dns", "IPv4 addresses", Ip) : [];
        var keys = m.TryGetValue("ssh_keys", out var k)
            ? StringList(k, "site.ssh_keys", "SSH public keys", CheckSshKey)
            : [];
        return name is null ? null : new SiteSettings(name, domain?.ToLowerInvariant(), upstream, keys);
    }

    private string? CheckSshKey(YamlScalar key, string path)
    {
        if (SshPublicKey.TryValidate(key.Value, out var problem)) return key.Value.Trim();
        Error(key, path, $"not an SSH public key: {problem} (expected one line of an authorized_keys file, like 'ssh-ed25519 AAAAC3Nza... admin@example')");
        return null;
    }

    private ServerSettings? ReadServer(YamlNode node)
    {
        var m = Mapping(node, "server", "a mapping with state_dir, data_dir, http_port, tftp_root and loaders", ServerKeys);
        if (m is null) return null;
        var state = m.TryGetValue("state_dir", out var st) ? AbsolutePath(st, "server.state_dir") : ServerSettings.DefaultStateDirectory;
        var data = m.TryGetValue("data_dir", out var dt) ? AbsolutePath(dt, "server.data_dir") : ServerSettings.DefaultDataDirectory;
        var port = m.TryGetValue("http_port", out var hp) ? Integer(hp, "server.http_port", "a TCP port from 1 to 65535", 1, 65535) : 80;
        var tftpOk = true;
        string? tftp = null;
        if (m.TryGetValue("tftp_root", out var tr)) { tftp = AbsolutePath(tr, "server.tftp_root"); tftpOk = tftp is not null; }
        var loaders = m.TryGetValue("loaders", out var ld) ? ReadLoaders(ld) : BootLoaders.Default;
        return state is null || data is null || port is null || !tftpOk || loaders is null
            ? null
            : new ServerSettings(state, data, port.Value, tftp, loaders);
    }

    private BootLoaders? ReadLoaders(YamlNode node)
    {
        var m = Mapping(node, "server.loaders", "a mapping with bios, uefi and arm64", LoaderKeys);
        if (m is null) return null;
        string? Loader(string key, string fallback) =>
            m.TryGetValue(key, out var n) ? Artifact(n, $"server.loaders.{key}", "a path in the TFTP root like undionly.kpxe") : fallback;
        var d = BootLoaders.Default;
        var bios = Loader("bios", d.Bios);
        var uefi = Loader("uefi", d.Uefi);
        var arm64 = Loader("arm64", d.Arm64);
        foreach (var (key, value) in new[] { ("bios", bios), ("uefi", uefi), ("arm64", arm64) })
        {
            if (value is not null && value.Contains("://", StringComparison.Ordinal))
                Error(m[key], $"server.loaders.{key}", $"'{value}' is a URL (expected a path in the TFTP root: PXE firmware fetches loaders over TFTP)");
        }
        return bios is null || uefi is null || arm64 is null || bios.Contains("://") || uefi.Contains("://") || arm64.Contains("://")
            ? null
            : new BootLoaders(bios, uefi, arm64);
    }

    private string? AbsolutePath(YamlNode node, string path)
    {
        var s = Scalar(node, path, "an absolute path");
        if (s is null) return null;
        if (s.Value.StartsWith('/') && !s.Value.Contains('\0')) return s.Value.TrimEnd('/') is { Length: > 0 } p ? p : "/";
        Error(s, path, $"'{s.Value}' is not an absolute path (expected a path starting with /)");
        return null;
    }

    private List<Located<NetworkConfig>> ReadNetworks(YamlNode node)
    {
        var result = new List<Located<NetworkConfig>>();
        if (node is not YamlMapping map)
        {
            Error(node, "networks", $"expected a mapping of network names to networks, found {node.Describe()}");
            return result;
        }
        foreach (var (key, value) in map.Entries)
        {
            var path = $"networks.{key.Value}";
            if (!IsNetworkName(key.Value))
                Error(key, path, $"'{key.Value}' is not a valid network name (expected lowercase letters, digits, '-' or '_', at most 15, like lan)");
            if (ReadNetwork(key.Value, value, path) is { } net) result.Add(new(net, value, key));
        }
        if (map.Entries.Count == 0) Error(node, "networks", "no networks (expected at least one, like lan: { interface: eth0, address: 10.69.0.1/16 })");
        return result;
    }

    private NetworkConfig? ReadNetwork(string name, YamlNode node, string path)
    {
        var m = Mapping(node, path, "a mapping with interface and address, or relay and subnet", NetworkKeys);
        if (m is null) return null;
        if (!m.TryGetValue("relay", out var r)) return ReadAttachedNetwork(name, node, path, m);
        return Boolean(r, $"{path}.relay") switch
        {
            true => ReadRelayedNetwork(name, node, path, m),
            false => ReadAttachedNetwork(name, node, path, m),
            null => null,
        };
    }

    private NetworkConfig? ReadAttachedNetwork(string name, YamlNode node, string path, Dictionary<string, YamlNode> m)
    {
        foreach (var key in (ReadOnlySpan<string>)["interface", "address"])
        {
            if (!m.ContainsKey(key))
                Error(node, path, $"missing key '{key}' (expected a mapping with interface and address, or relay: true and subnet for a network reached through DHCP relays)");
        }
        var subnetOk = true;
        if (m.TryGetValue("subnet", out var sn))
        {
            Error(sn, $"{path}.subnet", "only a relayed network has subnet (an attached network's follows from address; remove subnet, or set relay: true)");
            subnetOk = false;
        }
        var iface = m.TryGetValue("interface", out var i)
            ? Name(i, $"{path}.interface", "interface name", IsInterfaceName, "a Linux interface name like eth0, at most 15 characters")
            : null;
        int? vlan = null;
        var vlanOk = true;
        if (m.TryGetValue("vlan", out var v))
        {
            vlan = Integer(v, $"{path}.vlan", "a VLAN id from 1 to 4094", 1, 4094);
            vlanOk = vlan is not null;
            if (vlan is { } id && iface is not null && $"{iface}.{id}".Length > 15)
            {
                Error(v, $"{path}.vlan", $"the VLAN interface name '{iface}.{id}' is longer than Linux allows (expected at most 15 characters)");
                vlanOk = false;
            }
        }
        var address = m.TryGetValue("address", out var a) ? Cidr(a, $"{path}.address") : null;
        Ipv4Address? gateway = null;
        var gatewayOk = true;
        if (m.TryGetValue("gateway", out var g))
        {
            gateway = Ip(g, $"{path}.gateway");
            gatewayOk = gateway is not null;
            if (gateway is { } gw && address is { } box) gatewayOk = CheckInside(g, $"{path}.gateway", "gateway", gw, box.Network);
        }
        var dhcp = m.TryGetValue("dhcp", out var d) ? ReadDhcp(d, $"{path}.dhcp", address?.Network) : DhcpSettings.Off;
        if (iface is null || address is null || dhcp is null || !vlanOk || !gatewayOk || !subnetOk) return null;
        if (!CheckPrefix(a!, $"{path}.address", address.Value.Network)) return null;
        if (address.Value.Address == address.Value.Network.Address || address.Value.Address == address.Value.Network.BroadcastAddress)
        {
            Error(a!, $"{path}.address", $"{address.Value.Address} is the {EndName(address.Value.Network, address.Value.Address)} address of {address.Value.Network} (expected a host address for the box, like {address.Value.Network.Address.Next()}/{address.Value.PrefixLength})");
            return null;
        }
        return NetworkConfig.Attached(name, iface, vlan, address.Value, gateway, dhcp, node.Location);
    }

    /// <summary>
    /// A network the box is not on: clients' requests reach it through DHCP relays (giaddr in the subnet), and
    /// the box answers from the address each relay forwards to. Only DHCP happens there, so it must be served.
    /// </summary>
    private NetworkConfig? ReadRelayedNetwork(string name, YamlNode node, string path, Dictionary<string, YamlNode> m)
    {
        var ok = true;
        foreach (var key in (ReadOnlySpan<string>)["interface", "vlan", "address", "gateway"])
        {
            if (!m.TryGetValue(key, out var extra)) continue;
            Error(extra, $"{path}.{key}", $"has no meaning for a relayed network (the box is not on it; remove {key}, or remove relay: true)");
            ok = false;
        }
        Ipv4Network? subnet = null;
        if (m.TryGetValue("subnet", out var sn)) subnet = Subnet(sn, $"{path}.subnet");
        else Error(node, path, "missing key 'subnet' (expected the relayed clients' subnet, like subnet: 10.70.0.0/16)");
        DhcpSettings? dhcp = null;
        if (!m.TryGetValue("dhcp", out var d))
            Error(node, path, "a relayed network needs dhcp with mode: authoritative (the box only answers the DHCP requests relayed from it)");
        else if (ReadDhcp(d, $"{path}.dhcp", subnet) is { } settings)
        {
            var modeNode = d is YamlMapping dm ? dm.Entries.FirstOrDefault(e => e.Key.Value == "mode").Value : null;
            if (settings.Mode == DhcpMode.Authoritative) dhcp = settings;
            else if (modeNode is null)
                Error(d, $"{path}.dhcp", "missing key 'mode' (a relayed network needs mode: authoritative)");
            else if (settings.Mode == DhcpMode.Proxy)
                Error(modeNode, $"{path}.dhcp.mode", "proxy is not supported on a relayed network (the box answers ProxyDHCP only on networks it is on; expected authoritative)");
            else
                Error(modeNode, $"{path}.dhcp.mode", "a relayed network needs mode: authoritative (the box only answers the DHCP requests relayed from it; remove the network to stop serving it)");
        }
        return ok && subnet is { } net && dhcp is not null ? NetworkConfig.Relayed(name, net, dhcp, node.Location) : null;
    }

    /// <summary>A relayed network's subnet: a network address with its prefix, with room for hosts.</summary>
    private Ipv4Network? Subnet(YamlNode node, string path)
    {
        var s = Scalar(node, path, "a subnet like 10.70.0.0/16");
        if (s is null) return null;
        if (!Ipv4Interface.TryParse(s.Value, out var cidr))
        {
            Error(s, path, $"'{s.Value}' is not a subnet (expected NETWORK/PREFIX like 10.70.0.0/16)");
            return null;
        }
        if (cidr.Address != cidr.Network.Address)
        {
            Error(s, path, $"'{s.Value}' has host bits set (expected the network address, {cidr.Network})");
            return null;
        }
        return CheckPrefix(s, path, cidr.Network) ? cidr.Network : null;
    }

    private bool CheckPrefix(YamlNode node, string path, Ipv4Network net)
    {
        if (net.PrefixLength <= 30) return true;
        Error(node, path, $"a /{net.PrefixLength} network has no room for hosts (expected a prefix length of 30 or less)");
        return false;
    }

    private static string EndName(Ipv4Network net, Ipv4Address a) => a == net.Address ? "network" : "broadcast";

    /// <summary>An address that must be a usable host address inside the network.</summary>
    private bool CheckInside(YamlNode node, string path, string what, Ipv4Address a, Ipv4Network net)
    {
        if (!net.Contains(a))
        {
            Error(node, path, $"{what} {a} is outside the network {net} (expected an address inside it)");
            return false;
        }
        if (net.HasReservedEnds && (a == net.Address || a == net.BroadcastAddress))
        {
            Error(node, path, $"{what} {a} is the {EndName(net, a)} address of {net} (expected a host address)");
            return false;
        }
        return true;
    }

    private DhcpSettings? ReadDhcp(YamlNode node, string path, Ipv4Network? net)
    {
        var m = Mapping(node, path, "a mapping with mode, range, lease, router and dns", DhcpKeys);
        if (m is null) return null;
        var mode = DhcpMode.Off;
        var ok = true;
        if (m.TryGetValue("mode", out var mn))
        {
            var s = Scalar(mn, $"{path}.mode", "authoritative, proxy or off");
            mode = s?.Value switch
            {
                "authoritative" => DhcpMode.Authoritative,
                "proxy" => DhcpMode.Proxy,
                "off" => DhcpMode.Off,
                _ => (DhcpMode)(-1),
            };
            if (s is not null && mode == (DhcpMode)(-1))
            {
                var hint = Suggest(s.Value, ["authoritative", "proxy", "off"]);
                Error(s, $"{path}.mode", $"unknown mode '{s.Value}' ({(hint is null ? "" : $"did you mean '{hint}'? ")}expected authoritative, proxy or off)");
            }
            if (s is null || mode == (DhcpMode)(-1)) { ok = false; mode = DhcpMode.Off; }
        }
        if (mode == DhcpMode.Proxy)
        {
            // ProxyDHCP hands out no addresses (PXE spec §2.2.5): address options would be ignored; say so.
            foreach (var key in (ReadOnlySpan<string>)["range", "lease", "router", "dns"])
            {
                if (!m.TryGetValue(key, out var extra)) continue;
                Error(extra, $"{path}.{key}", $"has no meaning when mode is proxy (another server hands out addresses; remove {key} or use mode: authoritative)");
                ok = false;
            }
        }
        AddressRange? range = null;
        if (m.TryGetValue("range", out var r) && mode != DhcpMode.Proxy)
        {
            range = Range(r, $"{path}.range", net);
            ok &= range is not null;
        }
        var lease = DhcpSettings.DefaultLeaseTime;
        if (m.TryGetValue("lease", out var l) && mode != DhcpMode.Proxy)
        {
            if (Duration(l, $"{path}.lease") is { } t)
            {
                if (t < TimeSpan.FromMinutes(1))
                {
                    Error(l, $"{path}.lease", $"a lease of {t.TotalSeconds:0}s is too short (expected at least 1m)");
                    ok = false;
                }
                lease = t;
            }
            else ok = false;
        }
        Ipv4Address? router = null;
        if (m.TryGetValue("router", out var rt) && mode != DhcpMode.Proxy)
        {
            router = Ip(rt, $"{path}.router");
            ok &= router is not null && (net is not { } n1 || CheckInside(rt, $"{path}.router", "router", router.Value, n1));
        }
        var dns = ImmutableArray<Ipv4Address>.Empty;
        if (m.TryGetValue("dns", out var dn) && mode != DhcpMode.Proxy)
        {
            var before = _errors.Count;
            dns = List(dn, $"{path}.dns", "IPv4 addresses", Ip);
            ok &= _errors.Count == before;
        }
        return ok ? new DhcpSettings(mode, range, lease, router, dns) : null;
    }

    private AddressRange? Range(YamlNode node, string path, Ipv4Network? network)
    {
        var s = Scalar(node, path, "a range like 10.69.10.1-10.69.20.254");
        if (s is null) return null;
        var dash = s.Value.IndexOf('-');
        if (dash < 0 || !Ipv4Address.TryParse(s.Value.AsSpan(0, dash).Trim(), out var first)
                     || !Ipv4Address.TryParse(s.Value.AsSpan(dash + 1).Trim(), out var last))
        {
            Error(s, path, $"'{s.Value}' is not an address range (expected FIRST-LAST like 10.69.10.1-10.69.20.254)");
            return null;
        }
        if (first > last)
        {
            Error(s, path, $"range {s.Value} starts after it ends (expected FIRST-LAST with FIRST not after LAST)");
            return null;
        }
        if (network is { } net)
        {
            if (!net.Contains(first) || !net.Contains(last))
            {
                Error(s, path, $"range {first}-{last} is not inside the network {net} (expected addresses from {net.Address.Next()} to {new Ipv4Address(net.BroadcastAddress.Value - 1)})");
                return null;
            }
            if (first == net.Address || last == net.BroadcastAddress)
            {
                Error(s, path, $"range {first}-{last} includes the {(first == net.Address ? "network" : "broadcast")} address of {net} (expected host addresses only)");
                return null;
            }
        }
        return new AddressRange(first, last);
    }

    private (string Profile, YamlScalar? Node) ReadDefaults(YamlNode node)
    {
        var m = Mapping(node, "defaults", "a mapping with profile", DefaultsKeys);
        if (m is null || !m.TryGetValue("profile", out var p)) return (SiteInventory.NoProfile, null);
        var s = Scalar(p, "defaults.profile", "a profile name or none");
        return s is null ? (SiteInventory.NoProfile, null) : (s.Value, s);
    }

    private List<Located<HostEntry>> ReadHosts(YamlNode node)
    {
        var result = new List<Located<HostEntry>>();
        if (node is YamlScalar { IsNull: true }) return result;
        if (node is not YamlMapping map)
        {
            Error(node, "hosts", $"expected a mapping of host names to hosts, found {node.Describe()}");
            return result;
        }
        foreach (var (key, value) in map.Entries)
        {
            var path = $"hosts.{key.Value}";
            var nameOk = IsHostName(key.Value);
            if (!nameOk)
                Error(key, path, $"'{key.Value}' is not a valid host name (expected letters, digits and '-', at most 63, not starting or ending with '-')");
            var m = Mapping(value, path, "a mapping with mac, and optionally ip, profile and pi_serial", HostKeys, ["mac"]);
            if (m is null) continue;
            var mac = m.TryGetValue("mac", out var mv) ? Mac(mv, $"{path}.mac") : null;
            Ipv4Address? ip = null;
            var ipOk = true;
            if (m.TryGetValue("ip", out var iv)) { ip = Ip(iv, $"{path}.ip"); ipOk = ip is not null; }
            string? profile = null;
            if (m.TryGetValue("profile", out var pv)) profile = String(pv, $"{path}.profile", "a profile name or none");
            string? serial = null;
            var serialOk = true;
            if (m.TryGetValue("pi_serial", out var sv))
            {
                var s = Scalar(sv, $"{path}.pi_serial", "a Raspberry Pi serial number of 8 hex digits, like 3a4b5c6d");
                serialOk = s is not null && IsPiSerial(s.Value);
                if (s is not null && !serialOk)
                    Error(s, $"{path}.pi_serial", $"'{s.Value}' is not a Raspberry Pi serial number (expected 8 hex digits, like 3a4b5c6d; see 'vcgencmd otp_dump | grep ^28:')");
                serial = s?.Value.ToLowerInvariant();
            }
            if (nameOk && mac is not null && ipOk && serialOk && (profile is not null || pv is null))
                result.Add(new(new HostEntry(key.Value, mac.Value, ip, profile, serial, value.Location), value, key, m));
        }
        return result;
    }

    internal static bool IsHostName(string s) => HostNameRegex().IsMatch(s);
    internal static bool IsNetworkName(string s) => NetworkNameRegex().IsMatch(s);
    internal static bool IsProfileName(string s) => ProfileNameRegex().IsMatch(s);
    internal static bool IsInterfaceName(string s) => s.Length is > 0 and <= 15 && InterfaceRegex().IsMatch(s);
    internal static bool IsPiSerial(string s) => PiSerialRegex().IsMatch(s);
    internal static bool IsDomainName(string s) =>
        s.Length <= 253 && s.Split('.').All(l => HostNameRegex().IsMatch(l));

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex HostNameRegex();
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,14}$")]
    private static partial Regex NetworkNameRegex();
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex ProfileNameRegex();
    [GeneratedRegex("^[A-Za-z0-9_.@-]+$")]
    private static partial Regex InterfaceRegex();
    [GeneratedRegex("^[0-9A-Fa-f]{8}$")]
    private static partial Regex PiSerialRegex();

    /// <summary>A model value with the nodes it came from, so cross-checks can point at the right place.</summary>
    private sealed record Located<T>(T Value, YamlNode Node, YamlScalar Key, Dictionary<string, YamlNode>? Fields = null)
    {
        public YamlNode At(string field) => Fields is not null && Fields.TryGetValue(field, out var n) ? n : Node;
    }
}
