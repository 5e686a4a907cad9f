using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Tests.Site;

/// <summary>
/// The <c>firewall:</c> section and the services each network's role opens by default (<see cref="BoxServices"/>),
/// each rule with the exact message a user sees. The section starts at line 9, after <see cref="NetworkRoleTests.Three"/>.
/// </summary>
public class FirewallSectionTests
{
    private static readonly string Three = NetworkRoleTests.Three;

    private static string WithFirewall(params string[] lines) => Three + "\nfirewall:\n" + string.Join('\n', lines.Select(l => "  " + l));

    private static void AssertErrors(string text, params string[] expected) =>
        Assert.Equal(expected, SiteText.Errors(text));

    private static SiteInventory Load(string text)
    {
        var result = SiteText.Load(text);
        Assert.Empty(result.Errors);
        return result.Inventory!;
    }

    private static string[] On(SiteInventory site, string network) =>
        [.. BoxServices.On(site, site.FindNetwork(network)!).Select(s => s.ToString().ToLowerInvariant())];

    [Fact]
    public void Without_a_section_the_box_answers_by_role_and_routes_nothing()
    {
        var site = Load(Three);
        Assert.Equal(FirewallSettings.Default, site.Firewall);
        Assert.Equal(["dhcp", "tftp", "http", "ping"], On(site, "lan"));
        Assert.Equal(["ssh", "ping", "api"], On(site, "mgmt"));
        Assert.Empty(On(site, "wan"));
    }

    [Fact]
    public void Defaults_for_other_networks_a_flat_site_and_a_boot_network_without_dhcp()
    {
        var other = Load(Three.WithLine(3, "  lan:  { role: other, interface: eth0, vlan: 69, address: 10.69.0.1/16 }"));
        Assert.Equal(["ping"], On(other, "lan"));
        // One network serving DHCP: it is the management network, and boots machines too.
        Assert.Equal(["dhcp", "tftp", "http", "ssh", "ping", "api"], On(Load(SiteText.Minimal), "lan"));
        // Booted by another DHCP server that points at the box: TFTP and HTTP, no DHCP.
        var noDhcp = Load(Three.WithLine(3, "  lan:  { role: boot, interface: eth0, vlan: 69, address: 10.69.0.1/16 }"));
        Assert.Equal(["tftp", "http", "ping"], On(noDhcp, "lan"));
    }

    [Fact]
    public void Relays_are_heard_on_boot_and_management_networks()
    {
        var site = Load(Three.WithLine(3, "  lan:  { role: boot, interface: eth0, vlan: 69, address: 10.69.0.1/16 }\n  far:  { relay: true, subnet: 10.70.0.0/16, dhcp: { mode: authoritative } }"));
        Assert.Equal(["dhcp", "tftp", "http", "ping"], On(site, "lan"));
        Assert.Equal(["dhcp", "ssh", "ping", "api"], On(site, "mgmt"));
        Assert.Empty(On(site, "wan"));
        // Its machines come through their router to TFTP and HTTP.
        Assert.Equal(["tftp", "http"], On(site, "far"));
    }

    [Fact]
    public void The_example_masquerades_its_boot_network()
    {
        var site = Load(SiteText.Example);
        Assert.Equal(["lan"], site.Firewall.Masquerade);
        Assert.Empty(site.Firewall.Forward);
        Assert.Empty(site.Firewall.Allow);
    }

    [Fact]
    public void Allow_replaces_the_defaults_of_its_network_only()
    {
        var site = Load(WithFirewall("allow: { mgmt: [ping, ssh, http, ssh], wan: [ping], lan: [] }", "forward: [{ from: mgmt, to: wan }]"));
        Assert.Equal(["http", "ssh", "ping"], On(site, "mgmt"));
        Assert.Equal(["ping"], On(site, "wan"));
        Assert.Empty(On(site, "lan"));
        Assert.Equal([new ForwardRule("mgmt", "wan")], site.Firewall.Forward);
    }

    [Fact]
    public void Allow_with_one_service_needs_no_list()
    {
        var site = Load(WithFirewall("allow: { wan: ssh }"));
        Assert.Equal(["ssh"], On(site, "wan"));
    }

    [Fact]
    public void Unknown_network_suggests_the_nearest() => AssertErrors(
        WithFirewall("allow: { lna: [ssh] }"),
        "t.yaml:10:12: firewall.allow.lna: unknown network 'lna' (did you mean 'lan'? the box's networks: lan, mgmt, wan)");

    [Fact]
    public void Unknown_network_without_a_near_miss() => AssertErrors(
        WithFirewall("masquerade: [fleet]"),
        "t.yaml:10:16: firewall.masquerade[0]: unknown network 'fleet' (the box's networks: lan, mgmt, wan)");

    [Fact]
    public void Unknown_service_suggests_the_nearest() => AssertErrors(
        WithFirewall("allow: { mgmt: [ssh, tfpt] }"),
        "t.yaml:10:24: firewall.allow.mgmt[1]: unknown service 'tfpt' (did you mean 'tftp'? expected dhcp, tftp, http, ssh, ping, dns or api)");

    [Fact]
    public void Unknown_service_without_a_near_miss() => AssertErrors(
        WithFirewall("allow: { mgmt: [console] }"),
        "t.yaml:10:19: firewall.allow.mgmt[0]: unknown service 'console' (expected dhcp, tftp, http, ssh, ping, dns or api)");

    [Fact]
    public void Allow_needs_a_list_of_services() => AssertErrors(
        WithFirewall("allow: { mgmt: }"),
        "t.yaml:10:18: firewall.allow.mgmt: expected a list of services (dhcp, tftp, http, ssh, ping, dns, api), found nothing");

    [Fact]
    public void Allow_is_a_mapping_of_networks() => AssertErrors(
        WithFirewall("allow: [ssh]"),
        "t.yaml:10:10: firewall.allow: expected a mapping of network names to lists of services, found a list");

    [Fact]
    public void A_relayed_network_has_no_interface_of_the_box_to_filter() => AssertErrors(
        Three.WithLine(3, Three.Split('\n')[2] + "\n  far:  { relay: true, subnet: 10.70.0.0/16, dhcp: { mode: authoritative } }")
            + "\nfirewall:\n  forward: [{ from: far, to: wan }]",
        "t.yaml:11:21: firewall.forward[0].from: 'far' is a relayed network: the box has no interface on it to filter (expected one of the box's networks: lan, mgmt, wan)");

    [Fact]
    public void Masquerade_needs_a_wan_network() => AssertErrors(
        Three.WithLine(5, "  wan:  { interface: eth0, vlan: 420, address: 134.226.83.42/24, gateway: 134.226.83.1 }")
            + "\nfirewall:\n  masquerade: [lan]",
        "t.yaml:10:15: firewall.masquerade: no network has role: wan (expected role: wan on the uplink, where masqueraded traffic leaves with the box's address)");

    [Fact]
    public void A_wan_is_not_masqueraded_out_of_itself() => AssertErrors(
        WithFirewall("masquerade: [lan, wan]"),
        "t.yaml:10:21: firewall.masquerade[1]: 'wan' is a WAN network itself (expected the networks whose traffic leaves through the WAN with the box's address)");

    [Fact]
    public void A_network_is_masqueraded_once() => AssertErrors(
        WithFirewall("masquerade: [lan, mgmt, lan]"),
        "t.yaml:10:27: firewall.masquerade[2]: 'lan' is listed twice (expected each network once)");

    [Fact]
    public void Forward_to_itself() => AssertErrors(
        WithFirewall("forward: [{ from: lan, to: lan }]"),
        "t.yaml:10:30: firewall.forward[0].to: 'lan' forwards to itself (expected two different networks; within one network the box routes nothing)");

    [Fact]
    public void Forward_the_same_pair_twice() => AssertErrors(
        WithFirewall("forward:", "  - { from: mgmt, to: wan }", "  - { from: mgmt, to: wan }"),
        "t.yaml:12:7: firewall.forward[1]: from mgmt to wan is listed twice (expected each pair once)");

    [Fact]
    public void Forward_without_to_is_an_error_not_a_crash() => AssertErrors(
        WithFirewall("forward: [{ from: lan }]"),
        "t.yaml:10:13: firewall.forward[0]: missing key 'to' (expected a mapping with from and to (network names))");

    [Fact]
    public void Forward_with_an_unknown_key() => AssertErrors(
        WithFirewall("forward: [{ from: lan, to: wan, port: 22 }]"),
        "t.yaml:10:35: firewall.forward[0].port: unknown key (expected one of: from, to)");

    [Fact]
    public void Unknown_firewall_key_suggests_the_nearest() => AssertErrors(
        WithFirewall("masquarade: [lan]"),
        "t.yaml:10:3: firewall.masquarade: unknown key (did you mean 'masquerade'?)");

    [Fact]
    public void A_firewall_does_nothing_when_the_box_leaves_its_network_alone() => AssertErrors(
        WithFirewall("masquerade: [lan]") + "\nserver: { network_backend: none }",
        "t.yaml:9:1: firewall: has no effect with server.network_backend: none (the box's network, its firewall included, is left alone; remove firewall, or set network_backend to networkd or netctl)");

    [Fact]
    public void Every_firewall_error_is_reported_at_once() => Assert.Equal(4, SiteText.Errors(
        WithFirewall("allow: { lna: [sssh] }", "masquerade: [wan]", "forward: [{ from: mgmt, to: mgmt }]")).Length);
}
