using NetbootPi.Agent.Dhcp;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Tests.Site;

/// <summary>
/// Networks the box reaches only through DHCP relays (<c>relay: true</c> and <c>subnet</c>): how they validate,
/// with the exact messages, and what the rest of the agent derives from them.
/// </summary>
public class RelayedNetworkTests
{
    private static readonly string M = SiteText.Minimal;

    /// <summary>The minimal site with a network <c>far</c> after lan: its lines start at 10 ("  far:" is line 10).</summary>
    private static string WithFar(params string[] lines) =>
        M.WithLine(9, M.Split('\n')[8] + "\n  far:\n" + string.Join('\n', lines.Select(l => "    " + l)));

    private static readonly string[] Valid =
        ["relay: true", "subnet: 10.70.0.0/16", "dhcp: { mode: authoritative, range: 10.70.1.100-10.70.1.199, router: 10.70.0.1 }"];

    private static void AssertErrors(string text, params string[] expected) =>
        Assert.Equal(expected, SiteText.Errors(text));

    [Fact]
    public void A_relayed_network_has_a_subnet_and_no_interface_or_box_address()
    {
        var site = SiteText.Load(WithFar(Valid)).Inventory!;
        var far = site.FindNetwork("far")!;
        Assert.True(far.IsRelayed);
        Assert.Equal(("10.70.0.0/16", null, null, null), (far.Subnet.ToString(), far.Interface, far.BoxAddress, far.Address));
        Assert.Equal("10.70.1.100-10.70.1.199", far.Dhcp.Range.ToString());
        Assert.False(site.FindNetwork("lan")!.IsRelayed);
    }

    [Fact]
    public void A_host_with_an_address_in_the_relayed_subnet_belongs_to_it()
    {
        var text = WithFar(Valid).Replace("ip: 10.0.0.11, profile: k", "ip: 10.70.2.5, profile: k", StringComparison.Ordinal);
        var site = SiteText.Load(text).Inventory!;
        var b = site.Resolve(MacAddress.Parse("00:00:00:00:00:02"));
        Assert.Equal("far", b.Network!.Name);
        Assert.Equal(Ipv4Address.Parse("10.70.2.5"), b.StaticAddress);
        // Its box URL depends on the relay that forwards its requests: not known from the site file.
        Assert.Null(b.BoxUrl);
        Assert.Null(b.BootScriptUrl);
    }

    [Fact]
    public void The_dhcp_policy_serves_it_without_an_interface_or_server_address()
    {
        var text = WithFar(Valid).Replace("ip: 10.0.0.11, profile: k", "ip: 10.70.2.5, profile: k", StringComparison.Ordinal);
        var policy = new SiteDhcpPolicy(SiteText.Load(text).Inventory!);
        var far = policy.Networks.Single(n => n.Name == "far");
        Assert.Equal((null, null, "10.70.0.0/16"), (far.InterfaceName, far.ServerAddress, far.Subnet.ToString()));
        Assert.Equal(("10.70.1.100", "10.70.1.199"), (far.RangeStart.ToString(), far.RangeEnd.ToString()));
        Assert.Equal(["10.70.0.1"], far.Routers.Select(r => r.ToString()));
        Assert.Equal(["10.70.0.1", "10.70.2.5"], far.ReservedAddresses.Select(a => a.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(new DhcpReservation(Ipv4Address.Parse("10.70.2.5"), "b"), policy.FindReservation(far, MacAddress.Parse("00:00:00:00:00:02")));
    }

    [Fact]
    public void Boot_decisions_name_the_address_the_engine_got_the_request_at()
    {
        var text = WithFar(Valid).Replace("ip: 10.0.0.11, profile: k", "ip: 10.70.2.5, profile: k", StringComparison.Ordinal);
        var policy = new SiteDhcpPolicy(SiteText.Load(text).Inventory!);
        var far = policy.Networks.Single(n => n.Name == "far");
        var box = Ipv4Address.Parse("192.168.5.9");
        var request = new DhcpMessage { Operation = DhcpOperation.BootRequest, HardwareType = 1, HardwareAddressLength = 6 };
        MacAddress.Parse("00:00:00:00:00:02").WriteTo(request.ClientHardwareAddressField);
        request.Options.SetString(DhcpOptionCode.VendorClassIdentifier, "PXEClient:Arch:00000:UNDI:002001");
        request.Options.SetUInt16(DhcpOptionCode.ClientSystemArchitecture, 0);

        var pxe = policy.DecideBoot(far, request, box);
        Assert.Equal(("undionly.kpxe", box), (pxe.BootFileName, pxe.NextServer));
        Assert.Equal("192.168.5.9", System.Text.Encoding.ASCII.GetString(
            pxe.Options.Single(o => o.Code == DhcpOptionCode.TftpServerName).Value));

        request.Options.SetString(DhcpOptionCode.UserClass, "iPXE");
        var ipxe = policy.DecideBoot(far, request, box);
        Assert.Equal(("http://192.168.5.9/boot/00:00:00:00:00:02.ipxe", box), (ipxe.BootFileName, ipxe.NextServer));
    }

    [Fact]
    public void Relays_make_the_agent_listen_on_every_attached_interface_and_advertise_only_on_served_ones()
    {
        var text = M.WithLine(9, "    dhcp: { mode: off }\n  mgmt: { interface: eth1, address: 192.168.9.1/24, role: management }\n  far:\n"
            + string.Join('\n', Valid.Select(l => "    " + l)));
        var site = SiteText.Load(text).Inventory!;
        var wanted = DhcpService.WantedInterfaces(site);
        Assert.Equal([("eth0", false, false), ("eth1", false, false)],
            wanted.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value.Proxy, kv.Value.Served)));

        var withoutRelay = DhcpService.WantedInterfaces(SiteText.Load(M).Inventory!);
        Assert.Equal([("eth0", false, true)], withoutRelay.Select(kv => (kv.Key, kv.Value.Proxy, kv.Value.Served)));
    }

    [Fact]
    public void Interface_address_vlan_and_gateway_have_no_meaning_on_a_relayed_network() => AssertErrors(
        WithFar(["relay: true", "interface: eth1", "vlan: 7", "address: 10.70.0.1/16", "gateway: 10.70.0.254", .. Valid[1..]]),
        "t.yaml:12:16: networks.far.interface: has no meaning for a relayed network (the box is not on it; remove interface, or remove relay: true)",
        "t.yaml:13:11: networks.far.vlan: has no meaning for a relayed network (the box is not on it; remove vlan, or remove relay: true)",
        "t.yaml:14:14: networks.far.address: has no meaning for a relayed network (the box is not on it; remove address, or remove relay: true)",
        "t.yaml:15:14: networks.far.gateway: has no meaning for a relayed network (the box is not on it; remove gateway, or remove relay: true)");

    [Fact]
    public void A_relayed_network_needs_a_subnet() => AssertErrors(
        WithFar("relay: true", Valid[2]),
        "t.yaml:11:5: networks.far: missing key 'subnet' (expected the relayed clients' subnet, like subnet: 10.70.0.0/16)");

    [Fact]
    public void Subnet_with_host_bits() => AssertErrors(
        WithFar("relay: true", "subnet: 10.70.0.1/16", Valid[2]),
        "t.yaml:12:13: networks.far.subnet: '10.70.0.1/16' has host bits set (expected the network address, 10.70.0.0/16)");

    [Fact]
    public void Malformed_subnet() => AssertErrors(
        WithFar("relay: true", "subnet: 10.70.0.0", Valid[2]),
        "t.yaml:12:13: networks.far.subnet: '10.70.0.0' is not a subnet (expected NETWORK/PREFIX like 10.70.0.0/16)");

    [Fact]
    public void Subnet_without_room_for_hosts() => AssertErrors(
        WithFar("relay: true", "subnet: 10.70.0.0/31", "dhcp: { mode: authoritative }"),
        "t.yaml:12:13: networks.far.subnet: a /31 network has no room for hosts (expected a prefix length of 30 or less)");

    [Fact]
    public void Subnet_on_an_attached_network() => AssertErrors(
        M.WithLine(8, "    address: 10.0.0.1/24\n    subnet: 10.0.0.0/24"),
        "t.yaml:9:13: networks.lan.subnet: only a relayed network has subnet (an attached network's follows from address; remove subnet, or set relay: true)");

    [Fact]
    public void An_attached_network_without_interface_says_how_to_declare_a_relayed_one() => AssertErrors(
        M.WithLine(7, "    relay: false"),
        "t.yaml:7:5: networks.lan: missing key 'interface' (expected a mapping with interface and address, or relay: true and subnet for a network reached through DHCP relays)");

    [Fact]
    public void Relay_is_a_boolean() => AssertErrors(
        WithFar("relay: yes", Valid[1], Valid[2]),
        "t.yaml:11:12: networks.far.relay: 'yes' is not a boolean (expected true or false)");

    [Fact]
    public void A_relayed_network_without_dhcp() => AssertErrors(
        WithFar("relay: true", Valid[1]),
        "t.yaml:11:5: networks.far: a relayed network needs dhcp with mode: authoritative (the box only answers the DHCP requests relayed from it)");

    [Fact]
    public void A_relayed_network_with_dhcp_off() => AssertErrors(
        WithFar("relay: true", Valid[1], "dhcp: { mode: off }"),
        "t.yaml:13:19: networks.far.dhcp.mode: a relayed network needs mode: authoritative (the box only answers the DHCP requests relayed from it; remove the network to stop serving it)");

    [Fact]
    public void A_relayed_network_without_a_dhcp_mode() => AssertErrors(
        WithFar("relay: true", Valid[1], "dhcp: { lease: 2h }"),
        "t.yaml:13:11: networks.far.dhcp: missing key 'mode' (a relayed network needs mode: authoritative)");

    [Fact]
    public void A_relayed_network_in_proxy_mode() => AssertErrors(
        WithFar("relay: true", Valid[1], "dhcp: { mode: proxy }"),
        "t.yaml:13:19: networks.far.dhcp.mode: proxy is not supported on a relayed network (the box answers ProxyDHCP only on networks it is on; expected authoritative)");

    [Fact]
    public void Range_and_router_of_a_relayed_network_lie_in_its_subnet() => AssertErrors(
        WithFar("relay: true", Valid[1], "dhcp: { mode: authoritative, range: 10.71.0.10-10.71.0.20, router: 10.0.0.254 }"),
        "t.yaml:13:41: networks.far.dhcp.range: range 10.71.0.10-10.71.0.20 is not inside the network 10.70.0.0/16 (expected addresses from 10.70.0.1 to 10.70.255.254)",
        "t.yaml:13:72: networks.far.dhcp.router: router 10.0.0.254 is outside the network 10.70.0.0/16 (expected an address inside it)");

    [Fact]
    public void A_relayed_subnet_may_not_overlap_another_network() => AssertErrors(
        WithFar("relay: true", "subnet: 10.0.0.0/16", "dhcp: { mode: authoritative }"),
        "t.yaml:12:13: networks.far.subnet: 10.0.0.0/16 overlaps network lan 10.0.0.0/24 (expected networks that share no addresses)");

    [Fact]
    public void A_host_on_the_relayed_subnets_network_address_is_refused() => AssertErrors(
        WithFar(Valid).Replace("ip: 10.0.0.11, profile: k", "ip: 10.70.0.0, profile: k", StringComparison.Ordinal),
        "t.yaml:20:36: hosts.b.ip: 10.70.0.0 is the network address of network far 10.70.0.0/16 (expected a host address)");
}
