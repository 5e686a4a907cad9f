using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

// networks.NAME.role across all networks: the one management network.
internal sealed partial class SiteReader
{
    /// <summary>
    /// Exactly one management network when the box manages its own network: the one its operators reach it on,
    /// which every change must leave reachable, and where SSH answers. A site with a single network the box is on
    /// has that network as its management network unless it says otherwise. With <c>network_backend: none</c> the
    /// box touches neither interfaces nor firewall, so a site may name no management network.
    /// </summary>
    /// <param name="backend">The backend, or null when the server section could not be read (then a missing
    /// management network is not reported: it may be fine once that section is).</param>
    private List<Located<NetworkConfig>> SettleManagement(List<Located<NetworkConfig>> networks, NetworkBackend? backend, YamlNode section)
    {
        var managed = networks.Where(n => n.Value.Role == NetworkRole.Management).ToList();
        var attached = networks.Where(n => !n.Value.IsRelayed).ToList();
        if (managed.Count == 0 && attached.Count == 1 && !HasRole(attached[0]))
        {
            var only = attached[0];
            return networks.Select(n => n == only ? n with { Value = n.Value with { Role = NetworkRole.Management } } : n).ToList();
        }
        foreach (var extra in managed.Skip(1))
            Error(RoleNode(extra), $"networks.{extra.Value.Name}.role",
                $"a second management network (network {managed[0].Value.Name} at line {managed[0].Key.Location.Line} is one; expected exactly one, the network the operators reach the box on)");
        if (managed.Count == 0 && attached.Count > 0 && backend is not null and not NetworkBackend.None)
            Error(section, "networks", $"no network has role: management (expected role: management on the network the operators reach the box on, one of: {string.Join(", ", attached.Select(n => n.Value.Name))}; the box keeps it reachable through every change. Or server.network_backend: none to leave the box's network alone)");
        return networks;
    }

    private static bool HasRole(Located<NetworkConfig> n) => n.Node is YamlMapping m && m.Entries.Any(e => e.Key.Value == "role");

    private static YamlNode RoleNode(Located<NetworkConfig> n) =>
        n.Node is YamlMapping m ? m.Entries.FirstOrDefault(e => e.Key.Value == "role").Value ?? n.Node : n.Node;
}
