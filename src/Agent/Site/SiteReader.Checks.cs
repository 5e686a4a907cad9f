using NetbootPi.Agent.Site.Yaml;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

// Rules that relate one part of the site file to another.
internal sealed partial class SiteReader
{
    private void CheckNetworks(List<Located<NetworkConfig>> networks)
    {
        Located<NetworkConfig>? firstGateway = null;
        for (var i = 0; i < networks.Count; i++)
        {
            var a = networks[i].Value;
            for (var j = 0; j < i; j++)
            {
                var b = networks[j].Value;
                var key = a.IsRelayed ? "subnet" : "address";
                if (a.Subnet.Overlaps(b.Subnet))
                    Error(Field(networks[i], key), $"networks.{a.Name}.{key}",
                        $"{a.Subnet} overlaps network {b.Name} {b.Subnet} (expected networks that share no addresses)");
                if (a.Interface is null || a.Interface != b.Interface) continue;
                if (a.Vlan is { } vlan)
                    Error(Field(networks[i], "vlan"), $"networks.{a.Name}.vlan",
                        $"VLAN {vlan} on {a.ParentInterface} is already network {b.Name}'s (expected each VLAN once per interface)");
                else
                    Error(Field(networks[i], "interface"), $"networks.{a.Name}",
                        $"interface {a.Interface} is already network {b.Name}'s (expected one network per interface or VLAN)");
            }
            if (a.Gateway is null) continue;
            // The box has one default route: two would race for it (the kernel keeps whichever came first).
            if (firstGateway is null) firstGateway = networks[i];
            else
                Error(Field(networks[i], "gateway"), $"networks.{a.Name}.gateway",
                    $"a second default gateway (network {firstGateway.Value.Name} has {firstGateway.Value.Gateway} at line {Field(firstGateway, "gateway").Location.Line}; expected one gateway for the whole site, on its uplink)");
        }
    }

    /// <summary>The value of <paramref name="key"/> in a network's mapping, or the network itself.</summary>
    private static YamlNode Field(Located<NetworkConfig> network, string key) =>
        ((YamlMapping)network.Node).Entries.FirstOrDefault(e => e.Key.Value == key).Value ?? network.Node;

    private void CheckProfiles(List<Located<BootProfile>> profiles)
    {
        var byName = profiles.ToDictionary(p => p.Value.Name, p => p.Value, StringComparer.Ordinal);
        foreach (var located in profiles)
        {
            var p = located.Value;
            CheckInstallThen(located, byName, profiles);
            if (p.Pxe is { } pxe)
            {
                var pxeNode = ((YamlMapping)located.Node).Entries.First(e => e.Key.Value == "pxe").Value;
                if (!byName.TryGetValue(pxe, out var target) && !_declaredProfiles.Contains(pxe))
                    Error(pxeNode, $"profiles.{p.Name}.pxe", UnknownProfile(pxe, profiles.Where(x => x.Value.Kind != ProfileKind.Local).ToList(), allowNone: false));
                else if (target?.Kind == ProfileKind.Local)
                    Error(pxeNode, $"profiles.{p.Name}.pxe", $"'{pxe}' boots the local disk too (expected a profile that boots over the network: kernel, alpine, menu or sanboot)");
                else if (target?.Install is not null)
                    Error(pxeNode, $"profiles.{p.Name}.pxe", $"'{pxe}' installs (a reinstall is 'netbootpi reinstall HOST'; expected a profile that boots over the network without installing)");
            }
            if (p.Kind != ProfileKind.Menu) continue;
            var menuNode = ((YamlMapping)located.Node).Entries.First(e => e.Key.Value == "menu").Value;
            for (var i = 0; i < p.MenuItems.Length; i++)
            {
                var item = p.MenuItems[i];
                var itemNode = menuNode is YamlSequence seq ? seq.Items[i] : menuNode;
                var path = menuNode is YamlSequence ? $"profiles.{p.Name}.menu[{i}]" : $"profiles.{p.Name}.menu";
                if (!byName.TryGetValue(item, out var target) && !_declaredProfiles.Contains(item))
                    Error(itemNode, path, UnknownProfile(item, profiles.Where(x => x.Value.Kind != ProfileKind.Menu).ToList(), allowNone: false));
                else if (target?.Kind == ProfileKind.Menu)
                    Error(itemNode, path, $"'{item}' is itself a menu (expected profiles that boot something; menus do not nest)");
                else if (target?.Install is not null)
                    Error(itemNode, path, $"'{item}' installs, and an install is a host's own profile (expected hosts naming profile: {item}; a menu item cannot)");
            }
            if (p.MenuDefault is { } d && !p.MenuItems.Contains(d))
            {
                var dn = ((YamlMapping)located.Node).Entries.First(e => e.Key.Value == "default").Value;
                Error(dn, $"profiles.{p.Name}.default", $"'{d}' is not in this menu (expected one of: {string.Join(", ", p.MenuItems)})");
            }
        }
    }

    private void CheckProfileReference(YamlNode node, string path, string name, List<Located<BootProfile>> profiles)
    {
        // A profile that is declared but invalid has its own error already; do not add "unknown profile".
        if (name == SiteInventory.NoProfile || _declaredProfiles.Contains(name)) return;
        Error(node, path, UnknownProfile(name, profiles, allowNone: true));
    }

    private static string UnknownProfile(string name, List<Located<BootProfile>> profiles, bool allowNone)
    {
        var names = profiles.Select(p => p.Value.Name).ToList();
        if (allowNone) names.Add(SiteInventory.NoProfile);
        var hint = Suggest(name, names.ToArray());
        var known = names.Count == 0 ? "none are defined" : $"defined: {string.Join(", ", names)}";
        return $"unknown profile '{name}' ({(hint is null ? "" : $"did you mean '{hint}'? ")}{known})";
    }

    private void CheckHosts(List<Located<HostEntry>> hosts, List<Located<NetworkConfig>> networks,
        List<Located<BootProfile>> profiles, string? domain)
    {
        var names = new Dictionary<string, HostEntry>(StringComparer.OrdinalIgnoreCase);
        var macs = new Dictionary<MacAddress, HostEntry>();
        var ips = new Dictionary<Ipv4Address, HostEntry>();
        var serials = new Dictionary<string, HostEntry>(StringComparer.Ordinal);
        foreach (var located in hosts)
        {
            var h = located.Value;
            var path = $"hosts.{h.Name}";
            if (!names.TryAdd(h.Name, h))
                Error(located.Key, path, $"host name {h.Name} is already used by host {names[h.Name].Name} at line {names[h.Name].Location.Line} (expected each name once; names are case-insensitive)");
            else if (domain is not null && h.Name.Length + 1 + domain.Length > 253)
                Error(located.Key, path, $"{h.Name}.{domain} is longer than a DNS name may be (expected at most 253 characters)");
            if (!macs.TryAdd(h.Mac, h))
                Error(located.At("mac"), $"{path}.mac", $"MAC {h.Mac} is already used by host {macs[h.Mac].Name} at line {macs[h.Mac].Location.Line} (expected each MAC once)");
            if (h.PiSerial is { } serial && !serials.TryAdd(serial, h))
                Error(located.At("pi_serial"), $"{path}.pi_serial", $"Pi serial {serial} is already used by host {serials[serial].Name} at line {serials[serial].Location.Line} (expected each serial once)");
            if (h.Profile is { } profile) CheckProfileReference(located.At("profile"), $"{path}.profile", profile, profiles);
            if (h.Ip is not { } ip) continue;

            var ipNode = located.At("ip");
            if (!ips.TryAdd(ip, h))
                Error(ipNode, $"{path}.ip", $"address {ip} is already used by host {ips[ip].Name} at line {ips[ip].Location.Line} (expected each address once)");
            var net = networks.Select(n => n.Value).FirstOrDefault(n => n.Subnet.Contains(ip));
            if (net is null && !_networksComplete) continue;
            if (net is null)
            {
                var list = string.Join(", ", networks.Select(n => $"{n.Value.Name} {n.Value.Subnet}"));
                Error(ipNode, $"{path}.ip", $"{ip} is in no network (expected an address inside one of: {(list.Length == 0 ? "no networks are defined" : list)})");
            }
            else if (ip == net.BoxAddress)
                Error(ipNode, $"{path}.ip", $"{ip} is the box's own address on network {net.Name} (expected another address)");
            else if (ip == net.Subnet.Address || ip == net.Subnet.BroadcastAddress)
                Error(ipNode, $"{path}.ip", $"{ip} is the {EndName(net.Subnet, ip)} address of network {net.Name} {net.Subnet} (expected a host address)");
        }
    }
}
