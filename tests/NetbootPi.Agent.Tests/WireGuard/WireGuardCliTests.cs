using NetbootPi.Agent.Apply.Network;
using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Agent.WireGuard;
using NetbootPi.Tests.Shared;

namespace NetbootPi.Agent.Tests.WireGuard;

/// <summary>
/// <c>netbootpi wg peer add|remove|disable|enable</c> on a site in a folder of its own (its state directory there
/// too): the peers file, the printed client config read back by <c>wg-quick strip</c>, the QR code decoded by
/// <c>zbarimg</c>, and every refusal as a sentence.
/// </summary>
public sealed class WireGuardCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nbp-wg-cli-").FullName;

    public WireGuardCliTests() => File.WriteAllText(SitePath, $$"""
        site: { name: t, domain: t.internal, upstream_dns: [1.1.1.1] }
        server: { state_dir: {{_dir}}/state, data_dir: {{_dir}}/data }
        networks:
          lan:  { interface: eth0, vlan: 69, address: 10.69.0.1/16, dhcp: { mode: authoritative } }
          mgmt: { role: management, interface: eth0, address: 192.168.69.1/24 }
        profiles:
          p: { local: true }
        defaults: { profile: p }
        wireguard:
          address: 10.99.0.1/24
          endpoint: vpn.t.internal:51820
          dns: [192.168.69.1]
          peers:
            router: { public_key: 3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=, address: 10.99.0.2 }
        """);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string SitePath => Path.Combine(_dir, "site.yaml");
    private string PeersFile => Path.Combine(_dir, "wireguard-peers.yaml");

    private async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        // No agent here: a socket path that does not exist.
        var code = await CommandLine.RunAsync([.. args, "--config", SitePath, "--socket", Path.Combine(_dir, "none.sock")], o, e, TestContext.Current.CancellationToken);
        return (code, o.ToString(), e.ToString());
    }

    private WireGuardSettings Tunnel()
    {
        var r = SiteFile.Load(SitePath);
        Assert.Empty(r.Errors);
        return r.Inventory!.WireGuard!;
    }

    [Fact]
    public async Task Add_writes_the_public_half_prints_a_working_config_and_keeps_no_private_key()
    {
        var (code, stdout, stderr) = await Run("wg", "peer", "add", "alice-laptop");
        Assert.True(code == 0, stderr);
        var peer = Tunnel().FindPeer("alice-laptop")!;
        Assert.Equal(PeersFile, peer.File);
        Assert.Equal("10.99.0.3", peer.Address.ToString()); // .1 is the box, .2 the router
        var box = WireGuardKeyFile.Load(Path.Combine(_dir, "state", "wireguard", "wg0.key"))!;

        var config = stdout[..stdout.IndexOf("\n\n", stdout.IndexOf("PersistentKeepalive", StringComparison.Ordinal), StringComparison.Ordinal)] + "\n";
        var privateKey = config.Split('\n').Single(l => l.StartsWith("PrivateKey = ", StringComparison.Ordinal))["PrivateKey = ".Length..];
        Assert.Equal(peer.PublicKey, WireGuardSecret.Parse(privateKey)!.PublicKey());
        Assert.Contains($"PublicKey = {box.PublicKey()}\n", config);
        Assert.Contains("Address = 10.99.0.3/32\nDNS = 192.168.69.1, t.internal\n", config);
        Assert.Contains("Endpoint = vpn.t.internal:51820\nAllowedIPs = 10.99.0.0/24, 192.168.69.0/24\n", config);
        // The private key went to the terminal only: not into the peers file, the state directory or the site.
        foreach (var file in Directory.EnumerateFiles(_dir, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(privateKey, File.ReadAllText(file));
        Assert.Contains("the box did not keep it", stderr);
        Assert.Contains("no agent runs here", stderr);

        // wg-quick, the official client's config reader, takes it as it is.
        var wgQuick = Peers.Require("wg-quick", "wireguard-tools");
        var conf = Path.Combine(_dir, "alice.conf");
        await File.WriteAllTextAsync(conf, config, TestContext.Current.CancellationToken);
        var (stripCode, stripped, stripErr) = await Tool.RunAsync(wgQuick, ["strip", conf], TestContext.Current.CancellationToken);
        Assert.True(stripCode == 0, stripErr);
        Assert.Contains($"PrivateKey = {privateKey}\n", stripped);
        Assert.Contains("AllowedIPs = 10.99.0.0/24, 192.168.69.0/24\n", stripped);
        Assert.DoesNotContain("Address", stripped); // wg-quick's own lines are what strip removes

        // The QR code under it holds the same text.
        var qr = stdout[(config.Length + 1)..];
        Assert.Equal(config, await QrDecode.ReadAsync(qr, _dir));
    }

    [Fact]
    public async Task Add_with_a_public_key_prints_no_secret_and_no_qr()
    {
        var key = WireGuardSecret.NewPrivateKey().PublicKey().ToString();
        var (code, stdout, stderr) = await Run("wg", "peer", "add", "bob", "--public-key", key, "--address", "10.99.0.77");
        Assert.True(code == 0, stderr);
        Assert.Contains("# PrivateKey = ", stdout);
        Assert.DoesNotContain("█", stdout);
        Assert.Equal("10.99.0.77", Tunnel().FindPeer("bob")!.Address.ToString());
        Assert.Contains($"public_key: \"{key}\"", await File.ReadAllTextAsync(PeersFile, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Disable_enable_and_remove_change_the_peers_file_only()
    {
        Assert.Equal(0, (await Run("wg", "peer", "add", "carol", "--no-qr")).Code);
        Assert.Equal(0, (await Run("wg", "peer", "disable", "carol")).Code);
        Assert.False(Tunnel().FindPeer("carol")!.Enabled);
        Assert.Equal(0, (await Run("wg", "peer", "enable", "carol")).Code);
        Assert.True(Tunnel().FindPeer("carol")!.Enabled);
        Assert.Equal(0, (await Run("wg", "peer", "remove", "carol")).Code);
        Assert.Null(Tunnel().FindPeer("carol"));
        Assert.NotNull(Tunnel().FindPeer("router"));
    }

    [Fact]
    public async Task Refusals_say_what_and_where()
    {
        var (code, _, stderr) = await Run("wg", "peer", "disable", "router");
        Assert.Equal(1, code);
        Assert.Equal($"netbootpi: peer router is written in the site file at {SitePath}:14:5: change it there (this changes {PeersFile} only)\n", stderr);
        (code, _, stderr) = await Run("wg", "peer", "add", "router");
        Assert.Equal(1, code);
        Assert.Equal($"netbootpi: a peer named router is already in {SitePath}:14:5 (remove it first, or choose another name)\n", stderr);
        (code, _, stderr) = await Run("wg", "peer", "remove", "nobody");
        Assert.Equal("netbootpi: no peer named nobody (peers: router)\n", stderr);
        (code, _, stderr) = await Run("wg", "peer", "add", "x", "--public-key", "abc");
        Assert.Equal("netbootpi: --public-key: not a WireGuard public key: 3 characters (expected 44 characters of base64 ending in '=', as 'wg pubkey' prints a key)\n", stderr);
        // An address the router has: the whole site is read with the change, refused, and the file left as it was.
        (code, _, stderr) = await Run("wg", "peer", "add", "x", "--address", "10.99.0.2");
        Assert.Equal(1, code);
        Assert.Contains("peers.x.address: 10.99.0.2 is already peer router", stderr);
        Assert.Contains("is as it was", stderr);
        Assert.False(File.Exists(PeersFile));
    }

    [Fact]
    public void Peers_added_apply_at_once_but_disabling_or_removing_waits_for_a_confirm()
    {
        WireGuardSettings Load(string text) => SiteFile.Parse(SitePath, text).Inventory!.WireGuard!;
        var site = File.ReadAllText(SitePath);
        var one = NetworkWanted.From(SiteFile.Parse(SitePath, site).Inventory!);
        var two = NetworkWanted.From(SiteFile.Parse(SitePath, site + "\n    bob: { public_key: hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=, address: 10.99.0.9, allowed_ips: [172.20.0.0/24] }").Inventory!);
        var disabled = NetworkWanted.From(SiteFile.Parse(SitePath, site.Replace("address: 10.99.0.2 }", "address: 10.99.0.2, enabled: false }")).Inventory!);
        Assert.NotNull(Load(site));
        Assert.True(TunnelChanges.OnlyAddsPeers(one, two));
        Assert.False(TunnelChanges.OnlyAddsPeers(two, one));
        Assert.False(TunnelChanges.OnlyAddsPeers(one, disabled));
        Assert.False(TunnelChanges.OnlyAddsPeers(one, one));
        Assert.False(TunnelChanges.OnlyAddsPeers(null, two));
    }

    [Fact]
    public void Without_wireguard_dns_a_peer_resolves_through_the_box_where_it_answers_DNS_on_a_reached_network()
    {
        var text = File.ReadAllText(SitePath).Replace("  dns: [192.168.69.1]\n", "");
        WireGuardSettings Tunnel(string t) => SiteFile.Parse(SitePath, t).Inventory!.WireGuard!;
        var site = SiteFile.Parse(SitePath, text).Inventory!;
        Assert.Empty(Agent.Render.WireGuard.ClientConfig.Resolvers(site, site.WireGuard!));
        // With a dns: section the box answers on lan (DHCP) and mgmt; peers reach mgmt only.
        var withDns = SiteFile.Parse(SitePath, text.Replace("profiles:", "dns: {}\nprofiles:")).Inventory!;
        Assert.Equal(["192.168.69.1"], Agent.Render.WireGuard.ClientConfig.Resolvers(withDns, withDns.WireGuard!));
        Assert.NotNull(Tunnel(text));
    }
}
