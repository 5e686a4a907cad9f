using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Cli.Remote;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Support;
using NetbootPi.Agent.WireGuard;

namespace NetbootPi.Agent.Tests.WireGuard;

/// <summary>
/// <c>netbootpi wg</c> and <c>show host</c> through a running agent (its own process), over the control socket as
/// root: the agent changes its own peers file and reads its site again, the keys are made by the CLI and the box
/// keeps only the public half and the preshared key, and refusals come back as sentences with the site's located
/// errors. The kernel side (a real tunnel) is the kernel lab's WireGuardTunnelTests.
/// </summary>
public sealed class WireGuardApiTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nbp-wg-api-").FullName;

    public WireGuardApiTests() => File.WriteAllText(SitePath, $$"""
        site: { name: t, domain: t.internal, upstream_dns: [1.1.1.1] }
        server: { state_dir: {{_dir}}/state, data_dir: {{_dir}}/data }
        networks:
          lan:  { interface: eth0, vlan: 69, address: 10.69.0.1/16, dhcp: { mode: authoritative } }
          mgmt: { role: management, interface: eth0, address: 192.168.69.1/24 }
        profiles:
          p: { local: true }
        defaults: { profile: p }
        hosts:
          pc: { mac: 02:00:00:00:00:01, ip: 10.69.0.10 }
        wireguard:
          address: 10.99.0.1/24
          endpoint: vpn.t.internal:51820
          peers:
            router: { public_key: 3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=, address: 10.99.0.2 }
        """);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string SitePath => Path.Combine(_dir, "site.yaml");
    private string PeersFile => Path.Combine(_dir, "wireguard-peers.yaml");
    private string Socket => Path.Combine(_dir, "control.sock");

    private async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        var code = await CommandLine.RunAsync([.. args, "--socket", Socket], o, e, TestContext.Current.CancellationToken);
        return (code, o.ToString(), e.ToString());
    }

    private WireGuardSettings Tunnel() => SiteFile.Load(SitePath).Inventory!.WireGuard!;

    [Fact]
    public async Task Through_the_agent_peers_change_in_its_own_files_and_no_private_key_reaches_it()
    {
        Peers.RequireRoot();
        using var agent = AgentProcess.Start(new Dictionary<string, string> { [ControlSocketPath.EnvironmentVariable] = ControlSocketPath.None },
            "run", "--config", SitePath, "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0", "--no-dhcp",
            "--control-socket", Socket, "--control-group", "nogroup");
        agent.WaitFor("control socket listening on");

        var (code, stdout, stderr) = await Cli("wg", "peer", "add", "alice", "--preshared-key", "--no-qr");
        Assert.True(code == 0, stderr);
        Assert.Contains("netbootpi: added peer alice (10.99.0.3) to " + PeersFile + "; the agent runs it now; its private key is in the config above only", stderr);
        var privateKey = Value(stdout, "PrivateKey");
        var psk = Value(stdout, "PresharedKey");
        Assert.Equal(Tunnel().FindPeer("alice")!.PublicKey, WireGuardSecret.Parse(privateKey)!.PublicKey());
        var box = WireGuardKeyFile.Load(Path.Combine(_dir, "state", "wireguard", "wg0.key"))!;
        Assert.Equal(box.PublicKey().ToString(), Value(stdout, "PublicKey"));
        Assert.Contains("Address = 10.99.0.3/32\n", stdout);
        Assert.Contains("Endpoint = vpn.t.internal:51820\nAllowedIPs = 10.99.0.0/24, 192.168.69.0/24\n", stdout);
        // The preshared key the CLI made is the one the box keeps for networkd; the private key is nowhere on disk.
        Assert.Equal(psk + "\n", File.ReadAllText(Path.Combine(_dir, "state", "wireguard", "alice.psk")));
        foreach (var file in Directory.EnumerateFiles(_dir, "*", SearchOption.AllDirectories).Where(f => f != Socket))
            Assert.DoesNotContain(privateKey, File.ReadAllText(file));
        Assert.DoesNotContain(privateKey, agent.Output);
        Assert.DoesNotContain(psk, agent.Output);

        // The agent runs the new peer now: its list has it (the kernel's side is missing here: no wg0 on this machine).
        using (var client = new ControlClient(Socket))
        {
            var (_, _, tunnel) = await client.SendAsync(HttpMethod.Get, WireGuardEndpoints.PeersPath, WireGuardJson.Default.WireGuardReply, TestContext.Current.CancellationToken);
            Assert.Equal(["router 10.99.0.2 missing False", "alice 10.99.0.3 missing True"], tunnel.Peers.Select(p => $"{p.Name} {p.Address} {p.State} {p.PresharedKey}"));
            Assert.NotNull(tunnel.KernelError);
        }
        (code, _, stderr) = await Cli("wg", "show");
        Assert.Equal(1, code);
        Assert.StartsWith("netbootpi: ", stderr, StringComparison.Ordinal);
        Assert.Contains("wg", stderr);

        (code, stdout, stderr) = await Cli("wg", "peer", "disable", "alice");
        Assert.Equal((0, $"disabled peer alice in {PeersFile}; the agent runs it now\n", ""), (code, stdout, stderr));
        Assert.False(Tunnel().FindPeer("alice")!.Enabled);

        // Refusals: a site file the agent does not run, a name the site cannot hold, an address another peer has
        // (the whole site read with the change: its located error, and the file as it was).
        var other = Path.Combine(_dir, "other.yaml");
        File.Copy(SitePath, other);
        (code, _, stderr) = await Cli("wg", "peer", "enable", "alice", "--config", other);
        Assert.Equal(1, code);
        Assert.StartsWith($"netbootpi: the agent refused: the agent runs the site file {SitePath}, not {other}", stderr, StringComparison.Ordinal);
        (code, _, stderr) = await Cli("wg", "peer", "add", "Bad_Name", "--no-qr");
        Assert.Equal(1, code);
        Assert.Contains("'Bad_Name' is not a valid peer name", stderr);
        var before = File.ReadAllText(PeersFile);
        (code, _, stderr) = await Cli("wg", "peer", "add", "x", "--address", "10.99.0.2", "--no-qr");
        Assert.Equal(1, code);
        Assert.Contains($"{PeersFile}:", stderr);
        Assert.Contains("peers.x.address: 10.99.0.2 is already peer router", stderr);
        Assert.EndsWith("is as it was\n", stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(PeersFile));

        (code, stdout, _) = await Cli("wg", "peer", "remove", "alice");
        Assert.Equal(0, code);
        Assert.Null(Tunnel().FindPeer("alice"));
        Assert.False(File.Exists(Path.Combine(_dir, "state", "wireguard", "alice.psk")));

        // show host: the agent's answer prints as the files' does.
        (code, stdout, stderr) = await Cli("show", "host", "pc");
        Assert.True(code == 0, stderr);
        var (_, local, _) = await Cli("show", "host", "pc", "--files", "--config", SitePath);
        Assert.Equal(local, stdout);
        Assert.Contains("ip           10.69.0.10 (static lease)", stdout);
        (code, stdout, _) = await Cli("show", "host", "02:00:00:00:00:99", "--json");
        Assert.Equal(0, code);
        Assert.Contains("\"host\": null", stdout);
        (code, _, stderr) = await Cli("show", "host", "pcc");
        Assert.Equal(1, code);
        Assert.Contains("no host named 'pcc', and it is not a MAC address (did you mean 'pc'?)", stderr);

        // Each change asked for is audited, the refusals too, with how it ended.
        using (var client = new ControlClient(Socket))
        {
            var (_, _, audit) = await client.SendAsync(HttpMethod.Get, EventEndpoints.RecentPath + "?kind=audit", ControlJson.Default.JsonElementArray, TestContext.Current.CancellationToken);
            Assert.Equal(["peers 200", "peers/disable 200", "peers/enable 409", "peers 400", "peers 422", "peers/remove 200"],
                audit.Select(a => $"{a.GetProperty("path").GetString()!.Split(" (")[0]["POST /api/v1/wireguard/".Length..]} {a.GetProperty("status").GetInt32()}"));
        }
    }

    private static string Value(string config, string key) =>
        config.Split('\n').Single(l => l.StartsWith(key + " = ", StringComparison.Ordinal))[(key.Length + 3)..];
}
