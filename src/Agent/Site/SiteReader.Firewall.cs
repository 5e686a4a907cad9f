using System.Collections.Immutable;
using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

// firewall: which of the box's services answer on which network, what it masquerades and forwards.
internal sealed partial class SiteReader
{
    private static readonly string[] FirewallKeys = ["allow", "masquerade", "forward"];
    private static readonly string[] ForwardKeys = ["from", "to"];
    private static readonly string[] ServiceNames = ["dhcp", "tftp", "http", "ssh", "ping"];

    /// <summary>The section as written; <see cref="CheckFirewall"/> checks the networks it names once they are known.</summary>
    private (FirewallSettings? Settings, List<(string Network, YamlScalar Node, string Path)> Names) ReadFirewall(YamlNode node)
    {
        var names = new List<(string, YamlScalar, string)>();
        var m = Mapping(node, "firewall", "a mapping with allow, masquerade and forward", FirewallKeys);
        if (m is null) return (null, names);
        var before = _errors.Count;

        var allow = ImmutableDictionary.CreateBuilder<string, ImmutableArray<BoxService>>(StringComparer.Ordinal);
        if (m.TryGetValue("allow", out var a))
        {
            if (a is YamlMapping am)
            {
                foreach (var (network, services) in am.Entries)
                {
                    var path = $"firewall.allow.{network.Value}";
                    names.Add((network.Value, network, path));
                    // An empty list is allowed: nothing answers there.
                    var list = services is YamlSequence { Items.Count: 0 } ? [] : List(services, path, "services (dhcp, tftp, http, ssh, ping)", Service);
                    allow[network.Value] = list;
                }
            }
            else Error(a, "firewall.allow", $"expected a mapping of network names to lists of services, found {a.Describe()}");
        }

        var masquerade = ImmutableArray<string>.Empty;
        if (m.TryGetValue("masquerade", out var mq))
        {
            masquerade = StringList(mq, "firewall.masquerade", "network names", (s, p) =>
            {
                names.Add((s.Value, s, p));
                return s.Value;
            });
        }

        var forward = ImmutableArray.CreateBuilder<ForwardRule>();
        if (m.TryGetValue("forward", out var fw))
        {
            var items = fw is YamlSequence seq ? seq.Items : [fw];
            for (var i = 0; i < items.Count; i++)
            {
                var path = fw is YamlSequence ? $"firewall.forward[{i}]" : "firewall.forward";
                var r = Mapping(items[i], path, "a mapping with from and to (network names)", ForwardKeys, ["from", "to"]);
                if (r is null) continue;
                var from = Scalar(r["from"], $"{path}.from", "a network name");
                var to = Scalar(r["to"], $"{path}.to", "a network name");
                if (from is null || to is null) continue;
                names.Add((from.Value, from, $"{path}.from"));
                names.Add((to.Value, to, $"{path}.to"));
                if (from.Value == to.Value)
                    Error(to, $"{path}.to", $"'{to.Value}' forwards to itself (expected two different networks; within one network the box routes nothing)");
                else forward.Add(new ForwardRule(from.Value, to.Value));
            }
        }
        return (_errors.Count == before ? new FirewallSettings(allow.ToImmutable(), masquerade, forward.ToImmutable()) : null, names);
    }

    private BoxService? Service(YamlNode node, string path)
    {
        var s = Scalar(node, path, "a service: dhcp, tftp, http, ssh or ping");
        if (s is null) return null;
        var index = Array.IndexOf(ServiceNames, s.Value);
        if (index >= 0) return (BoxService)index;
        var hint = Suggest(s.Value, ServiceNames) is { } best ? $"did you mean '{best}'? " : "";
        Error(s, path, $"unknown service '{s.Value}' ({hint}expected dhcp, tftp, http, ssh or ping)");
        return null;
    }

    /// <summary>Every network the firewall names exists and is one of the box's own; masquerading needs a WAN network.</summary>
    private void CheckFirewall(FirewallSettings? firewall, List<(string Network, YamlScalar Node, string Path)> names,
        List<Located<NetworkConfig>> networks, YamlNode? section)
    {
        var byName = networks.ToDictionary(n => n.Value.Name, n => n.Value, StringComparer.Ordinal);
        foreach (var (network, node, path) in names)
        {
            if (!byName.TryGetValue(network, out var n))
            {
                var hint = Suggest(network, byName.Keys.ToArray()) is { } best ? $"did you mean '{best}'? " : "";
                Error(node, path, $"unknown network '{network}' ({hint}defined: {string.Join(", ", byName.Keys)})");
            }
            else if (n.IsRelayed)
                Error(node, path, $"'{network}' is a relayed network, not one of the box's interfaces (expected a network the box is on)");
        }
        if (firewall is { Masquerade.Length: > 0 } && !networks.Any(n => n.Value.Role == NetworkRole.Wan) && section is YamlMapping fm)
        {
            var at = fm.Entries.First(e => e.Key.Value == "masquerade").Value;
            Error(at, "firewall.masquerade", "no network has role: wan (expected one, for masqueraded traffic to leave through)");
        }
    }

    /// <summary>
    /// Exactly one management network when the box manages its network: the one its operators reach it on, which
    /// every change must leave reachable. A site with a single network has it as its management network.
    /// </summary>
    private List<Located<NetworkConfig>> SettleManagement(List<Located<NetworkConfig>> networks, NetworkBackend backend, YamlNode? section)
    {
        YamlNode RoleNode(Located<NetworkConfig> n) =>
            n.Node is YamlMapping m ? m.Entries.FirstOrDefault(e => e.Key.Value == "role").Value ?? n.Node : n.Node;
        var managed = networks.Where(n => n.Value.Role == NetworkRole.Management).ToList();
        var attached = networks.Where(n => !n.Value.IsRelayed).ToList();
        if (managed.Count == 0 && attached.Count == 1 && RoleNode(attached[0]) == attached[0].Node)
        {
            var only = attached[0];
            return networks.Select(n => n == only ? n with { Value = n.Value with { Role = NetworkRole.Management } } : n).ToList();
        }
        foreach (var extra in managed.Skip(1))
            Error(RoleNode(extra), $"networks.{extra.Value.Name}.role",
                $"a second management network ({managed[0].Value.Name} is one, at line {managed[0].Node.Location.Line}; expected exactly one)");
        if (managed.Count == 0 && backend != NetworkBackend.None && section is not null && attached.Count > 0)
            Error(section, "networks", "no network has role: management (expected it on the network the operators reach the box on; the box keeps that one reachable through every change)");
        return networks;
    }
}
