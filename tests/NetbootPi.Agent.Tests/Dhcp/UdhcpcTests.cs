using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Dhcp;

/// <summary>busybox udhcpc, an ordinary DHCP client, against the agent in a namespace joined by one veth pair.</summary>
public class UdhcpcTests
{
    private const string KnownMac = "02:77:01:00:00:0a";
    private const string UnknownMac = "02:77:01:00:00:99";

    [Fact]
    public async Task Known_mac_gets_its_static_address_and_unknown_one_a_pool_address_with_the_networks_options()
    {
        var ct = TestContext.Current.CancellationToken;
        var udhcpc = Peers.Require("udhcpc", "udhcpc");
        using var lab = new NetLab();
        var srv = lab.Namespace("srv");
        var cli = lab.Namespace("cli");
        lab.Link(srv, "s0", "10.77.1.1/24", cli, "c0", null, KnownMac);
        var site = lab.DhcpSite($$"""
            lan: { interface: s0, address: 10.77.1.1/24, dhcp: { mode: authoritative, range: 10.77.1.100-10.77.1.150, lease: 37m, router: 10.77.1.254, dns: [10.77.1.53, 10.77.1.54] } }
            """, $$"""
            known: { mac: {{KnownMac}}, ip: 10.77.1.10 }
            """);
        // udhcpc runs its script with the lease in the environment; "bound" is the ACKed lease.
        var script = lab.Script("udhcpc.sh", $"[ \"$1\" = bound ] && env > {lab.Path("bound.env")}\nexit 0");

        using var agent = lab.StartAgent(srv, site);
        agent.WaitFor("DHCP server listening on s0");

        async Task<Dictionary<string, string>> Lease()
        {
            File.Delete(lab.Path("bound.env"));
            var (code, stdout, stderr) = await lab.RunAsync(cli, udhcpc, ["-i", "c0", "-f", "-q", "-n", "-t", "5", "-T", "1", "-s", script], ct);
            Assert.True(code == 0, $"udhcpc failed ({code}): {stdout}{stderr}\nagent:\n{agent.Output}");
            return (await File.ReadAllLinesAsync(lab.Path("bound.env"), ct))
                .Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
                .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        }

        var known = await Lease();
        Assert.Equal("10.77.1.10", known["ip"]);
        Assert.Equal("255.255.255.0", known["subnet"]);
        Assert.Equal("10.77.1.254", known["router"]);
        Assert.Equal("10.77.1.53 10.77.1.54", known["dns"].Trim());
        Assert.Equal("lab.internal", known["domain"]);
        Assert.Equal(((int)TimeSpan.FromMinutes(37).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), known["lease"]);
        Assert.Equal("10.77.1.1", known["serverid"]);
        Assert.Equal("known", known.GetValueOrDefault("hostname"));

        lab.SetMac(cli, "c0", UnknownMac);
        var unknown = await Lease();
        var address = System.Net.IPAddress.Parse(unknown["ip"]).GetAddressBytes();
        Assert.True(address[..3].SequenceEqual(new byte[] { 10, 77, 1 }) && address[3] is >= 100 and <= 150,
            $"{unknown["ip"]} is not in the pool 10.77.1.100-150");
        Assert.Equal("10.77.1.254", unknown["router"]);
        Assert.False(unknown.ContainsKey("hostname"), "an unknown host has no name to be told");

        // The same MAC asking again gets the same address back (RFC 2131 §4.3.1: its previous address).
        Assert.Equal(unknown["ip"], (await Lease())["ip"]);
    }
}
