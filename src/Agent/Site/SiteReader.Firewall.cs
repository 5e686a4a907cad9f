using System.Collections.Immutable;
using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

// firewall: which of the box's services answer on which network, what it masquerades and forwards.
internal sealed partial class SiteReader
{
    private static readonly string[] FirewallKeys = ["allow", "masquerade", "forward"];
    private static readonly string[] ForwardKeys = ["from", "to"];
    private static readonly string[] ServiceNames = ["dhcp", "tftp", "http", "ssh", "ping", "dns", "api"];

    /// <summary>Where the firewall names a network, so <see cref="CheckFirewall"/> can point at it once the networks are known.</summary>
    private sealed record NetworkReference(string Network, YamlScalar Node, string Path, bool Masquerade);

    /// <summary>The section as written; the networks it names are checked by <see cref="CheckFirewall"/>.</summary>
    private (FirewallSettings? Settings, List<NetworkReference> Names) ReadFirewall(YamlNode node)
    {
        var names = new List<NetworkReference>();
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
                    names.Add(new(network.Value, network, path, Masquerade: false));
                    // An empty list is allowed and means what it says: nothing of the box answers there.
                    allow[network.Value] = List(services, path, "services (dhcp, tftp, http, ssh, ping, dns, api)", Service);
                }
            }
            else Error(a, "firewall.allow", $"expected a mapping of network names to lists of services, found {a.Describe()}");
        }

        var masquerade = ImmutableArray<string>.Empty;
        if (m.TryGetValue("masquerade", out var mq))
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            masquerade = StringList(mq, "firewall.masquerade", "network names", (s, p) =>
            {
                if (!seen.Add(s.Value))
                {
                    Error(s, p, $"'{s.Value}' is listed twice (expected each network once)");
                    return null;
                }
                names.Add(new(s.Value, s, p, Masquerade: true));
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
                if (r is null || !r.ContainsKey("from") || !r.ContainsKey("to")) continue;
                var from = Scalar(r["from"], $"{path}.from", "a network name");
                var to = Scalar(r["to"], $"{path}.to", "a network name");
                if (from is null || to is null) continue;
                names.Add(new(from.Value, from, $"{path}.from", Masquerade: false));
                names.Add(new(to.Value, to, $"{path}.to", Masquerade: false));
                var rule = new ForwardRule(from.Value, to.Value);
                if (from.Value == to.Value)
                    Error(to, $"{path}.to", $"'{to.Value}' forwards to itself (expected two different networks; within one network the box routes nothing)");
                else if (forward.Contains(rule))
                    Error(items[i], path, $"from {from.Value} to {to.Value} is listed twice (expected each pair once)");
                else forward.Add(rule);
            }
        }
        return (_errors.Count == before ? new FirewallSettings(allow.ToImmutable(), masquerade, forward.ToImmutable()) : null, names);
    }

    private BoxService? Service(YamlNode node, string path)
    {
        var s = Scalar(node, path, "a service: dhcp, tftp, http, ssh, ping, dns or api");
        if (s is null) return null;
        var index = Array.IndexOf(ServiceNames, s.Value);
        if (index >= 0) return (BoxService)index;
        var hint = Suggest(s.Value, ServiceNames) is { } best ? $"did you mean '{best}'? " : "";
        Error(s, path, $"unknown service '{s.Value}' ({hint}expected dhcp, tftp, http, ssh, ping, dns or api)");
        return null;
    }

    /// <summary>
    /// Every network the firewall names is one of the box's own (a relayed network has no interface of the box to
    /// filter on); masquerading needs a WAN network to leave through, and is for the networks behind it.
    /// </summary>
    private void CheckFirewall(FirewallSettings? firewall, List<NetworkReference> names, List<Located<NetworkConfig>> networks, YamlNode section)
    {
        var byName = networks.ToDictionary(n => n.Value.Name, n => n.Value, StringComparer.Ordinal);
        var attached = networks.Where(n => !n.Value.IsRelayed).Select(n => n.Value.Name).ToArray();
        foreach (var (network, node, path, masquerade) in names)
        {
            if (!byName.TryGetValue(network, out var n))
            {
                var hint = Suggest(network, attached) is { } best ? $"did you mean '{best}'? " : "";
                Error(node, path, $"unknown network '{network}' ({hint}the box's networks: {string.Join(", ", attached)})");
            }
            else if (n.IsRelayed)
                Error(node, path, $"'{network}' is a relayed network: the box has no interface on it to filter (expected one of the box's networks: {string.Join(", ", attached)})");
            else if (masquerade && n.Role == NetworkRole.Wan)
                Error(node, path, $"'{network}' is a WAN network itself (expected the networks whose traffic leaves through the WAN with the box's address)");
        }
        if (firewall is { Masquerade.Length: > 0 } && !networks.Any(n => n.Value.Role == NetworkRole.Wan) && section is YamlMapping fm)
        {
            var at = fm.Entries.First(e => e.Key.Value == "masquerade").Value;
            Error(at, "firewall.masquerade", "no network has role: wan (expected role: wan on the uplink, where masqueraded traffic leaves with the box's address)");
        }
    }
}
