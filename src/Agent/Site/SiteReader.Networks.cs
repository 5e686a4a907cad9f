using NetbootPi.Agent.Site.Yaml;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

// networks: attached (the box is on it) and relayed ones, and their addresses.
internal sealed partial class SiteReader
{
    private static readonly string[] NetworkKeys = ["interface", "vlan", "address", "gateway", "relay", "subnet", "dhcp", "role"];
    private static readonly NetworkRole[] Roles = [NetworkRole.Management, NetworkRole.Boot, NetworkRole.Wan, NetworkRole.Other];
    private static readonly string[] RoleNames = [.. Roles.Select(r => r.SiteName())];

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
        NetworkRole? role = null;
        if (m.TryGetValue("role", out var rn))
        {
            role = Role(rn, $"{path}.role");
            if (role is null) return null;
        }
        if (role == NetworkRole.Wan && dhcp.Mode != DhcpMode.Off)
        {
            // The uplink belongs to someone else: answering DHCP there hands the box's boot offers (or addresses)
            // to machines that are not the site's. The firewall's defaults close DHCP there anyway.
            var at = d is YamlMapping dm ? dm.Entries.FirstOrDefault(e => e.Key.Value == "mode").Value ?? d : d!;
            Error(at, $"{path}.dhcp.mode", $"a WAN network serves no DHCP (the box would answer machines on its uplink; expected mode: off, or a role other than wan)");
            return null;
        }
        // Without role: a network that serves DHCP is a boot network, any other is 'other' (the one management
        // network of a site with a single network is settled once all networks are read).
        return NetworkConfig.Attached(name, iface, vlan, address.Value, gateway, dhcp, node.Location) with
        {
            Role = role ?? (dhcp.Mode != DhcpMode.Off ? NetworkRole.Boot : NetworkRole.Other),
        };
    }

    private NetworkRole? Role(YamlNode node, string path)
    {
        var s = Scalar(node, path, "management, boot, wan or other");
        if (s is null) return null;
        foreach (var role in Roles)
            if (role.SiteName() == s.Value) return role;
        var hint = Suggest(s.Value, RoleNames) is { } best ? $"did you mean '{best}'? " : "";
        Error(s, path, $"unknown role '{s.Value}' ({hint}expected management, boot, wan or other)");
        return null;
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
        if (m.TryGetValue("role", out var role))
        {
            // Only DHCP, TFTP and HTTP for booting reach the box from there: it can be nothing but a boot network.
            Error(role, $"{path}.role", "a relayed network is always a boot network (its machines only boot from the box, through their relay; remove role)");
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
        return ok && subnet is { } net && dhcp is not null ? NetworkConfig.Relayed(name, net, dhcp, node.Location) with { Role = NetworkRole.Boot } : null;
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
}
