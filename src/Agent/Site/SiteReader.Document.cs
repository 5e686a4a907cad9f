using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

// The document: its top-level sections read in order, then the checks across them.
internal sealed partial class SiteReader
{
    private static readonly string[] TopKeys = ["site", "server", "networks", "firewall", "wireguard", "dns", "kvm", "media", "profiles", "defaults", "hosts", "alerts", "backup"];

    private bool _networksComplete;
    private HashSet<string> _declaredProfiles = [];

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
        if (_networksComplete && n is not null) networks = SettleManagement(networks, server?.NetworkBackend, n);
        var (firewall, firewallNames) = top.TryGetValue("firewall", out var fw) ? ReadFirewall(fw) : (FirewallSettings.Default, []);
        if (fw is not null && server?.NetworkBackend == NetworkBackend.None)
        {
            // none leaves the box's network alone, its firewall included: a firewall section would silently do nothing.
            var key = ((YamlMapping)root).Entries.First(e => e.Key.Value == "firewall").Key;
            Error(key, "firewall", "has no effect with server.network_backend: none (the box's network, its firewall included, is left alone; remove firewall, or set network_backend to networkd or netctl)");
        }
        var (wireguard, reachNode) = top.TryGetValue("wireguard", out var wgn) ? ReadWireGuard(wgn) : (null, null);
        if (wgn is not null && server?.NetworkBackend == NetworkBackend.None)
        {
            var key = ((YamlMapping)root).Entries.First(e => e.Key.Value == "wireguard").Key;
            Error(key, "wireguard", "has no effect with server.network_backend: none (the box's network, its tunnel included, is left alone; remove wireguard, or set network_backend to networkd or netctl)");
        }
        var dns = top.TryGetValue("dns", out var dnsNode)
            ? ReadDns(dnsNode, site?.Domain, ((YamlMapping)root).Entries.First(e => e.Key.Value == "dns").Key)
            : null;
        var media = top.TryGetValue("media", out var mediaNode) ? ReadMedia(mediaNode) : MediaSettings.Default;
        var profiles = top.TryGetValue("profiles", out var p) ? ReadProfiles(p) : [];
        _declaredProfiles = p is YamlMapping pm ? pm.Entries.Select(e => e.Key.Value).ToHashSet(StringComparer.Ordinal) : [];
        var (defaultProfile, defaultNode) = top.TryGetValue("defaults", out var d) ? ReadDefaults(d) : (SiteInventory.NoProfile, null);
        var hosts = top.TryGetValue("hosts", out var h) ? ReadHosts(h) : [];
        var webhooks = top.TryGetValue("alerts", out var al) ? ReadAlerts(al) : [];
        var kvm = top.TryGetValue("kvm", out var kvmNode) ? ReadKvm(kvmNode) : null;
        var backup = top.TryGetValue("backup", out var backupNode) ? ReadBackup(backupNode) : null;

        CheckNetworks(networks);
        if (_networksComplete && fw is not null) CheckFirewall(firewall, firewallNames, networks, fw);
        if (_networksComplete && wireguard is not null)
        {
            CheckWireGuard(wireguard, wgn!, reachNode, networks);
            // By default peers reach the management network: the box and what operators look after.
            if (reachNode is null) wireguard = wireguard with { Reach = [.. networks.Where(n => n.Value.Role == NetworkRole.Management && !n.Value.IsRelayed).Select(n => n.Value.Name)] };
        }
        CheckProfiles(profiles);
        if (defaultNode is not null) CheckProfileReference(defaultNode, "defaults.profile", defaultProfile, profiles);
        if (defaultNode is not null && profiles.FirstOrDefault(x => x.Value.Name == defaultProfile)?.Value.Install is not null)
            Error(defaultNode, "defaults.profile", $"'{defaultProfile}' installs, and an install is rendered for a host the site names (expected a profile that installs nothing here, and profile: {defaultProfile} on the hosts to install)");
        CheckHosts(hosts, networks, profiles, site?.Domain);
        CheckPower(hosts, networks);
        CheckRecovery(hosts, profiles, defaultProfile);
        CheckConsoles(hosts);
        if (kvm is not null && kvmNode is not null) CheckKvm(kvm, kvmNode, hosts);
        if (dns is not null && dnsNode is not null) CheckDns(dns, dnsNode, site, networks, hosts);
        if (backup?.To is { } backupTo && Path.IsPathFullyQualified(backupTo) && backupNode is YamlMapping bm && server is not null
            && (Path.GetFullPath(backupTo) + "/").StartsWith(Path.GetFullPath(server.StateDirectory).TrimEnd('/') + "/", StringComparison.Ordinal))
            Error(bm.Entries.First(e => e.Key.Value == "to").Value, "backup.to", $"'{backupTo}' is inside server.state_dir ({server.StateDirectory}), which every backup holds: each would hold the ones before (choose a folder outside it)");

        if (site is null || _errors.Count > 0) return null;
        var inventory = new SiteInventory(site, server ?? ServerSettings.Default,
            [.. networks.Select(x => x.Value)], [.. profiles.Select(x => x.Value)], defaultProfile,
            [.. hosts.Select(x => x.Value)], firewall, wireguard, dns)
        {
            Media = media ?? MediaSettings.Default,
            Webhooks = webhooks,
            Kvm = kvm,
            Backup = backup,
        };
        // What follows for each host from its install profile needs the whole site, as rendering it does.
        CheckInstallHosts(inventory, hosts);
        return _errors.Count > 0 ? null : inventory;
    }

    /// <summary>A model value with the nodes it came from, so cross-checks can point at the right place.</summary>
    private sealed record Located<T>(T Value, YamlNode Node, YamlScalar Key, Dictionary<string, YamlNode>? Fields = null)
    {
        public YamlNode At(string field) => Fields is not null && Fields.TryGetValue(field, out var n) ? n : Node;
    }
}
