using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Tests.Site;

/// <summary>
/// What each network is for (<c>networks.NAME.role</c>), the one management network, <c>server.network_backend</c>,
/// and the box's own addressing rules (VLANs, gateways), each with the exact message a user sees.
/// </summary>
public class NetworkRoleTests
{
    /// <summary>The Netsoc shape: a boot VLAN, the management network untagged, a WAN VLAN with the gateway. Lines 3–5 are the networks.</summary>
    internal const string Three = """
        site: { name: t, domain: t.internal, upstream_dns: [1.1.1.1] }
        networks:
          lan:  { interface: eth0, vlan: 69, address: 10.69.0.1/16, dhcp: { mode: authoritative } }
          mgmt: { role: management, interface: eth0, address: 192.168.69.1/24 }
          wan:  { role: wan, interface: eth0, vlan: 420, address: 134.226.83.42/24, gateway: 134.226.83.1 }
        profiles:
          p: { local: true }
        defaults: { profile: p }
        """;

    private static void AssertErrors(string text, params string[] expected) =>
        Assert.Equal(expected, SiteText.Errors(text));

    private static SiteInventory Load(string text)
    {
        var result = SiteText.Load(text);
        Assert.Empty(result.Errors);
        return result.Inventory!;
    }

    private static NetworkRole RoleOf(SiteInventory site, string network) => site.FindNetwork(network)!.Role;

    [Fact]
    public void Roles_as_written_and_by_default()
    {
        var site = Load(Three);
        // lan has no role: it serves DHCP, so it is a boot network.
        Assert.Equal((NetworkRole.Boot, NetworkRole.Management, NetworkRole.Wan), (RoleOf(site, "lan"), RoleOf(site, "mgmt"), RoleOf(site, "wan")));
        Assert.Equal("mgmt", site.Management!.Name);

        // Without DHCP and without a role a network is 'other'.
        var other = Load(Three.WithLine(3, "  lan:  { interface: eth0, vlan: 69, address: 10.69.0.1/16 }"));
        Assert.Equal(NetworkRole.Other, RoleOf(other, "lan"));
    }

    [Fact]
    public void A_site_on_one_network_has_it_as_its_management_network()
    {
        var site = Load(SiteText.Minimal);
        Assert.Equal(NetworkRole.Management, RoleOf(site, "lan"));
        Assert.Same(site.FindNetwork("lan"), site.Management);
    }

    [Fact]
    public void Relayed_networks_do_not_count_against_the_one_network()
    {
        var site = Load(SiteText.Minimal.WithLine(9, SiteText.Minimal.Split('\n')[8]
            + "\n  far: { relay: true, subnet: 10.70.0.0/16, dhcp: { mode: authoritative } }"));
        Assert.Equal((NetworkRole.Management, NetworkRole.Boot), (RoleOf(site, "lan"), RoleOf(site, "far")));
    }

    [Fact]
    public void The_one_network_with_another_role_leaves_the_site_without_management() => AssertErrors(
        SiteText.Minimal.WithLine(7, "    role: boot\n    interface: eth0"),
        "t.yaml:6:3: networks: no network has role: management (expected role: management on the network the operators reach the box on, one of: lan; the box keeps it reachable through every change. Or server.network_backend: none to leave the box's network alone)");

    [Fact]
    public void Several_networks_and_no_management_network() => AssertErrors(
        Three.WithLine(4, "  mgmt: { interface: eth0, address: 192.168.69.1/24 }"),
        "t.yaml:3:3: networks: no network has role: management (expected role: management on the network the operators reach the box on, one of: lan, mgmt, wan; the box keeps it reachable through every change. Or server.network_backend: none to leave the box's network alone)");

    [Fact]
    public void Without_a_backend_no_management_network_is_needed()
    {
        var site = Load(Three.WithLine(4, "  mgmt: { interface: eth0, address: 192.168.69.1/24 }") + "\nserver: { network_backend: none }");
        Assert.Null(site.Management);
        Assert.Equal(NetworkBackend.None, site.Server.NetworkBackend);
    }

    [Fact]
    public void A_broken_server_section_does_not_also_report_a_missing_management_network() => AssertErrors(
        Three.WithLine(4, "  mgmt: { interface: eth0, address: 192.168.69.1/24 }") + "\nserver: { network_backend: nnoe }",
        "t.yaml:9:28: server.network_backend: unknown network backend 'nnoe' (did you mean 'none'? expected networkd, netctl, or none to leave the box's network alone)");

    [Fact]
    public void Two_management_networks() => AssertErrors(
        Three.WithLine(5, "  wan:  { role: management, interface: eth0, vlan: 420, address: 134.226.83.42/24, gateway: 134.226.83.1 }"),
        "t.yaml:5:17: networks.wan.role: a second management network (network mgmt at line 4 is one; expected exactly one, the network the operators reach the box on)");

    [Fact]
    public void Two_management_networks_are_an_error_even_without_a_backend() => AssertErrors(
        Three.WithLine(5, "  wan:  { role: management, interface: eth0, vlan: 420, address: 134.226.83.42/24, gateway: 134.226.83.1 }")
            + "\nserver: { network_backend: none }",
        "t.yaml:5:17: networks.wan.role: a second management network (network mgmt at line 4 is one; expected exactly one, the network the operators reach the box on)");

    [Fact]
    public void Unknown_role_suggests_the_nearest() => AssertErrors(
        Three.WithLine(4, "  mgmt: { role: mangement, interface: eth0, address: 192.168.69.1/24 }"),
        "t.yaml:4:17: networks.mgmt.role: unknown role 'mangement' (did you mean 'management'? expected management, boot, wan or other)");

    [Fact]
    public void Unknown_role_without_a_near_miss() => AssertErrors(
        Three.WithLine(4, "  mgmt: { role: uplink, interface: eth0, address: 192.168.69.1/24 }"),
        "t.yaml:4:17: networks.mgmt.role: unknown role 'uplink' (expected management, boot, wan or other)");

    [Fact]
    public void A_role_is_one_word() => AssertErrors(
        Three.WithLine(4, "  mgmt: { role: [management], interface: eth0, address: 192.168.69.1/24 }"),
        "t.yaml:4:17: networks.mgmt.role: expected management, boot, wan or other, found a list");

    [Fact]
    public void A_relayed_network_carries_no_role() => AssertErrors(
        Three.WithLine(5, Three.Split('\n')[4] + "\n  far: { relay: true, role: boot, subnet: 10.70.0.0/16, dhcp: { mode: authoritative } }"),
        "t.yaml:6:29: networks.far.role: a relayed network is always a boot network (its machines only boot from the box, through their relay; remove role)");

    [Fact]
    public void A_wan_serves_no_dhcp() => AssertErrors(
        Three.WithLine(5, "  wan:  { role: wan, interface: eth0, vlan: 420, address: 134.226.83.42/24, dhcp: { mode: proxy } }"),
        "t.yaml:5:91: networks.wan.dhcp.mode: a WAN network serves no DHCP (the box would answer machines on its uplink; expected mode: off, or a role other than wan)");

    [Fact]
    public void Backend_defaults_to_networkd_and_takes_netctl_and_none()
    {
        Assert.Equal(NetworkBackend.Networkd, Load(Three).Server.NetworkBackend);
        Assert.Equal(NetworkBackend.Networkd, Load(Three + "\nserver: { http_port: 8080 }").Server.NetworkBackend);
        Assert.Equal(NetworkBackend.Netctl, Load(Three + "\nserver: { network_backend: netctl }").Server.NetworkBackend);
        Assert.Equal(NetworkBackend.None, Load(Three + "\nserver: { network_backend: none }").Server.NetworkBackend);
    }

    [Fact]
    public void Unknown_backend_suggests_the_nearest() => AssertErrors(
        Three + "\nserver: { network_backend: netcl }",
        "t.yaml:9:28: server.network_backend: unknown network backend 'netcl' (did you mean 'netctl'? expected networkd, netctl, or none to leave the box's network alone)");

    [Fact]
    public void Unknown_backend_without_a_near_miss() => AssertErrors(
        Three + "\nserver: { network_backend: NetworkManager }",
        "t.yaml:9:28: server.network_backend: unknown network backend 'NetworkManager' (expected networkd, netctl, or none to leave the box's network alone)");

    [Fact]
    public void The_same_vlan_twice_on_one_interface() => AssertErrors(
        Three.WithLine(5, "  wan:  { role: wan, interface: eth0, vlan: 69, address: 134.226.83.42/24, gateway: 134.226.83.1 }"),
        "t.yaml:5:45: networks.wan.vlan: VLAN 69 on eth0 is already network lan's (expected each VLAN once per interface)");

    [Fact]
    public void The_same_vlan_on_two_interfaces_is_two_networks()
    {
        var site = Load(Three.WithLine(5, "  wan:  { role: wan, interface: eth1, vlan: 69, address: 134.226.83.42/24, gateway: 134.226.83.1 }"));
        Assert.Equal(["eth0.69", "eth0", "eth1.69"], site.Networks.Select(n => n.Interface));
    }

    [Fact]
    public void A_gateway_outside_its_network() => AssertErrors(
        Three.WithLine(5, "  wan:  { role: wan, interface: eth0, vlan: 420, address: 134.226.83.42/24, gateway: 134.226.84.1 }"),
        "t.yaml:5:86: networks.wan.gateway: gateway 134.226.84.1 is outside the network 134.226.83.0/24 (expected an address inside it)");

    [Fact]
    public void A_gateway_on_the_broadcast_address() => AssertErrors(
        Three.WithLine(5, "  wan:  { role: wan, interface: eth0, vlan: 420, address: 134.226.83.42/24, gateway: 134.226.83.255 }"),
        "t.yaml:5:86: networks.wan.gateway: gateway 134.226.83.255 is the broadcast address of 134.226.83.0/24 (expected a host address)");

    [Fact]
    public void A_second_default_gateway() => AssertErrors(
        Three.WithLine(4, "  mgmt: { role: management, interface: eth0, address: 192.168.69.1/24, gateway: 192.168.69.254 }"),
        "t.yaml:5:86: networks.wan.gateway: a second default gateway (network mgmt has 192.168.69.254 at line 4; expected one gateway for the whole site, on its uplink)");
}
