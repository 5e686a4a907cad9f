using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Tests.Site;

/// <summary>
/// The <c>wireguard:</c> section and the peers file, each rule with the exact message a user sees. The section
/// starts at line 9, after <see cref="NetworkRoleTests.Three"/>; its first entry is at line 10.
/// </summary>
public sealed class WireGuardSectionTests : IDisposable
{
    private const string KeyA = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
    private const string KeyB = "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=";

    private readonly string _dir = Directory.CreateTempSubdirectory("nbp-wg-site-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string WithTunnel(params string[] lines) =>
        NetworkRoleTests.Three + "\nwireguard:\n" + string.Join('\n', lines.Select(l => "  " + l));

    private string SitePath => Path.Combine(_dir, "site.yaml");

    private SiteLoadResult Load(string text) => SiteFile.Parse(SitePath, text);

    private string[] Errors(string text) => [.. Load(text).Errors.Select(e => e.ToString().Replace(_dir + "/", ""))];

    private SiteInventory Valid(string text)
    {
        var result = Load(text);
        Assert.Empty(result.Errors);
        return result.Inventory!;
    }

    [Fact]
    public void A_tunnel_takes_its_defaults_and_reaches_the_management_network()
    {
        var wg = Valid(WithTunnel("address: 10.99.0.1/24")).WireGuard!;
        Assert.Equal("wg0", wg.Interface);
        Assert.Equal(51820, wg.ListenPort);
        Assert.Equal("10.99.0.0/24", wg.Subnet.ToString());
        Assert.Equal(["mgmt"], wg.Reach);
        Assert.True(wg.Masquerade);
        Assert.Null(wg.Endpoint);
        Assert.Equal(Path.Combine(_dir, "wireguard-peers.yaml"), wg.PeersFile);
        Assert.Empty(wg.Peers);
    }

    [Fact]
    public void Without_a_section_there_is_no_tunnel() => Assert.Null(Valid(NetworkRoleTests.Three).WireGuard);

    [Fact]
    public void Peers_come_from_the_site_file_and_the_peers_file_each_located_in_its_own()
    {
        File.WriteAllText(Path.Combine(_dir, "wireguard-peers.yaml"), $"peers:\n  bob:\n    public_key: {KeyB}\n    address: 10.99.0.3\n    enabled: false\n");
        var wg = Valid(WithTunnel("address: 10.99.0.1/24", "endpoint: vpn.t.internal:51820", "peers:",
            $"  alice: {{ public_key: {KeyA}, address: 10.99.0.2, keepalive: 25, allowed_ips: [192.168.5.0/24] }}")).WireGuard!;
        Assert.Equal(["alice", "bob"], wg.Peers.Select(p => p.Name));
        Assert.Equal(SitePath, wg.Peers[0].File);
        Assert.Equal(Path.Combine(_dir, "wireguard-peers.yaml"), wg.Peers[1].File);
        Assert.Equal(2, wg.Peers[1].Location.Line);
        Assert.Equal(["10.99.0.2/32", "192.168.5.0/24"], wg.Peers[0].Routes.Select(r => r.ToString()));
        Assert.Equal(["alice"], wg.EnabledPeers.Select(p => p.Name));
    }

    [Fact]
    public void A_key_that_is_not_32_bytes_of_base64_is_located()
    {
        Assert.Equal(
        [
            "site.yaml:12:22: wireguard.peers.a.public_key: not a WireGuard public key: 8 characters (expected 44 characters of base64 ending in '=', as 'wg pubkey' prints a key)",
            "site.yaml:13:22: wireguard.peers.b.public_key: not a WireGuard public key: not base64 of 32 bytes (expected a key as 'wg pubkey' prints it)",
        ], Errors(WithTunnel("address: 10.99.0.1/24", "peers:",
            "  a: { public_key: notakey=, address: 10.99.0.2 }",
            "  b: { public_key: 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066Spjq!bTmo=', address: 10.99.0.3 }")));
    }

    [Fact]
    public void Two_peers_with_overlapping_allowed_ips_are_refused_at_the_second()
    {
        Assert.Equal(
        [
            "site.yaml:13:102: wireguard.peers.b.allowed_ips: 192.168.5.128/25 overlaps 192.168.5.0/24 of peer a (site.yaml:12) (expected each network routed to one peer: WireGuard sends a packet to one peer only)",
        ], Errors(WithTunnel("address: 10.99.0.1/24", "peers:",
            $"  a: {{ public_key: {KeyA}, address: 10.99.0.2, allowed_ips: [192.168.5.0/24] }}",
            $"  b: {{ public_key: {KeyB}, address: 10.99.0.3, allowed_ips: [192.168.5.128/25] }}")));
    }

    [Fact]
    public void A_tunnel_address_outside_the_subnet_or_the_boxs_own_is_refused()
    {
        Assert.Equal(
        [
            "site.yaml:12:77: wireguard.peers.a.address: 10.98.0.2 is outside the tunnel subnet 10.99.0.0/24 (expected an address in it)",
            "site.yaml:13:77: wireguard.peers.b.address: 10.99.0.1 is the box's own tunnel address (expected another address in 10.99.0.0/24)",
        ], Errors(WithTunnel("address: 10.99.0.1/24", "peers:",
            $"  a: {{ public_key: {KeyA}, address: 10.98.0.2 }}",
            $"  b: {{ public_key: {KeyB}, address: 10.99.0.1 }}")));
    }

    [Fact]
    public void The_same_name_key_or_address_twice_is_refused_across_both_files()
    {
        File.WriteAllText(Path.Combine(_dir, "wireguard-peers.yaml"),
            $"peers:\n  a:\n    public_key: {KeyB}\n    address: 10.99.0.3\n  c:\n    public_key: {KeyA}\n    address: 10.99.0.4\n  d:\n    public_key: {KeyB[..^2]}A=\n    address: 10.99.0.2\n");
        var errors = Errors(WithTunnel("address: 10.99.0.1/24", "peers:", $"  a: {{ public_key: {KeyA}, address: 10.99.0.2 }}"));
        Assert.Equal(3, errors.Length);
        Assert.Contains("wireguard-peers.yaml:2:3: peers.a: a second peer named a (peer a (site.yaml:12); expected each name once, across the site file and the peers file)", errors);
        Assert.Contains("wireguard-peers.yaml:6:17: peers.c.public_key: the same public key as peer a (site.yaml:12) (expected each peer's own key)", errors);
        Assert.Contains("wireguard-peers.yaml:10:14: peers.d.address: 10.99.0.2 is already peer a (site.yaml:12)'s (expected each peer its own address)", errors);
    }

    [Fact]
    public void A_listen_port_the_boxs_servers_use_is_refused()
    {
        Assert.Equal(["site.yaml:11:16: wireguard.listen_port: port 67 is one the box's own servers use (DHCP, TFTP, DNS); expected another UDP port, like 51820"],
            Errors(WithTunnel("address: 10.99.0.1/24", "listen_port: 67")));
    }

    [Fact]
    public void The_tunnel_shares_no_address_with_the_sites_networks_and_reaches_only_its_own_networks()
    {
        Assert.Equal(
        [
            "site.yaml:10:12: wireguard.address: the tunnel 10.69.99.0/24 overlaps network lan 10.69.0.0/16 (expected a subnet of its own, like 10.99.0.0/24)",
            "site.yaml:11:11: wireguard.reach[0]: unknown network 'mgnt' (did you mean 'mgmt'? the box's networks: lan, mgmt, wan)",
            "site.yaml:11:17: wireguard.reach[1]: 'wan' is a WAN network (expected the site's own networks; peers leave through their own uplink)",
        ], Errors(WithTunnel("address: 10.69.99.1/24", "reach: [mgnt, wan]")));
    }

    [Fact]
    public void A_tunnel_needs_a_backend()
    {
        var text = NetworkRoleTests.Three.Replace("networks:", "server: { network_backend: none }\nnetworks:") + "\nwireguard:\n  address: 10.99.0.1/24";
        Assert.Equal(["site.yaml:10:1: wireguard: has no effect with server.network_backend: none (the box's network, its tunnel included, is left alone; remove wireguard, or set network_backend to networkd or netctl)"],
            Errors(text));
    }

    [Fact]
    public void An_endpoint_is_host_and_port()
    {
        Assert.Equal(["site.yaml:11:13: wireguard.endpoint: 'vpn.t.internal' is not HOST:PORT (expected the name or address peers dial, and the port, like vpn.example.org:51820)"],
            Errors(WithTunnel("address: 10.99.0.1/24", "endpoint: vpn.t.internal")));
        Assert.Equal("203.0.113.7:443", Valid(WithTunnel("address: 10.99.0.1/24", "endpoint: 203.0.113.7:443")).WireGuard!.Endpoint);
    }

    [Fact]
    public void A_peers_file_that_is_not_yaml_is_reported_in_that_file()
    {
        File.WriteAllText(Path.Combine(_dir, "wireguard-peers.yaml"), "peers:\n  a: [unclosed\n");
        var errors = Errors(WithTunnel("address: 10.99.0.1/24"));
        Assert.Single(errors);
        Assert.StartsWith("wireguard-peers.yaml:", errors[0]);
    }
}
