using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Dhcp;

/// <summary>
/// A relayed topology: client — relay (dnsmasq --dhcp-relay) — agent, on two links. The relay stamps giaddr
/// with its client-side address; the agent must pick the network containing giaddr and answer the relay on
/// port 67 (RFC 2131 §4.1), and the relay hands the reply to the client. The client subnet is a relayed
/// network (the box is not on it), so server identifier, siaddr and boot URL name the address the relay
/// forwards to.
/// </summary>
public class RelayTests
{
    private const string KnownMac = "02:77:04:00:00:0a";
    private const string UnknownMac = "02:77:04:00:00:99";

    [Fact]
    public async Task Client_behind_a_relay_gets_an_address_of_its_own_subnet_from_the_address_the_relay_forwards_to()
    {
        var ct = TestContext.Current.CancellationToken;
        var udhcpc = Peers.Require("udhcpc", "udhcpc");
        var dnsmasq = Peers.Require("dnsmasq", "dnsmasq-base");
        using var lab = new NetLab();
        var srv = lab.Namespace("srv");
        var rly = lab.Namespace("rly");
        var cli = lab.Namespace("cli");
        lab.Link(srv, "s0", "10.77.41.1/24", rly, "r1", "10.77.41.2/24");
        lab.Link(rly, "r0", "10.77.40.1/24", cli, "c0", null, KnownMac);
        // The relay forwards to 10.77.42.1, a second address of the box on s0 (not its primary 10.77.41.1): only
        // the destination of the relayed datagrams says which address the relay's clients reach the box at.
        Assert.Equal(0, (await lab.RunAsync(srv, lab.Ip, ["addr", "add", "10.77.42.1/24", "dev", "s0"], ct)).Code);
        Assert.Equal(0, (await lab.RunAsync(srv, lab.Ip, ["route", "add", "10.77.40.0/24", "via", "10.77.41.2"], ct)).Code);
        Assert.Equal(0, (await lab.RunAsync(rly, lab.Ip, ["route", "add", "10.77.42.0/24", "via", "10.77.41.1"], ct)).Code);
        // The client subnet is a relayed network (the box is not on it); the link to the relay is a network
        // whose own DHCP is off, so the box listens there for relayed requests only.
        var site = lab.DhcpSite($$"""
            core: { interface: s0, address: 10.77.41.1/24 }
            remote: { relay: true, subnet: 10.77.40.0/24, dhcp: { mode: authoritative, range: 10.77.40.100-10.77.40.150, lease: 20m, router: 10.77.40.1 } }
            """, $$"""
            known: { mac: {{KnownMac}}, ip: 10.77.40.10 }
            """);
        using var agent = lab.StartAgent(srv, site);
        agent.WaitFor("DHCP server listening on s0, port 67 (relayed requests only)");
        lab.Start(rly, dnsmasq, "--no-daemon", "--port=0", "--no-resolv", "--no-hosts", "--user=root",
            $"--pid-file={lab.Path("dnsmasq.pid")}", "--log-dhcp", "--dhcp-relay=10.77.40.1,10.77.42.1");

        var script = lab.Script("udhcpc.sh", $"[ \"$1\" = bound ] && env > {lab.Path("bound.env")}\nexit 0");
        async Task<Dictionary<string, string>> Lease(params string[] extra)
        {
            File.Delete(lab.Path("bound.env"));
            // The relay may still be starting for the first DISCOVER: udhcpc retransmits each second.
            var (code, stdout, stderr) = await lab.RunAsync(cli, udhcpc, ["-i", "c0", "-f", "-q", "-n", "-t", "8", "-T", "1", "-s", script, .. extra], ct);
            Assert.True(code == 0, $"udhcpc failed ({code}): {stdout}{stderr}\nagent:\n{agent.Output}");
            return (await File.ReadAllLinesAsync(lab.Path("bound.env"), ct))
                .Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
                .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        }

        var known = await Lease();
        Assert.Equal("10.77.40.10", known["ip"]);
        Assert.Equal("10.77.40.1", known["router"]);
        Assert.Equal("1200", known["lease"]);
        Assert.Equal("10.77.42.1", known["serverid"]);
        // At Debug a line per request names the client's MAC and, for a host of the site, its name (issue 32).
        agent.WaitFor($"DHCP Ack 10.77.40.10 to {KnownMac} (known) for its Request on s0 (remote)");

        // iPXE (user class 77 "iPXE") gets its script from, and next-server at, the address the relay uses.
        var ipxe = await Lease("-x", "0x4d:0469505845", "-O", "67");
        Assert.Equal("10.77.42.1", ipxe["serverid"]);
        Assert.Equal("10.77.42.1", ipxe.GetValueOrDefault("siaddr"));
        Assert.Equal($"http://10.77.42.1/boot/{KnownMac}.ipxe", ipxe.GetValueOrDefault("boot_file"));

        lab.SetMac(cli, "c0", UnknownMac);
        var unknown = await Lease();
        var last = System.Net.IPAddress.Parse(unknown["ip"]).GetAddressBytes();
        Assert.True(last[..3].SequenceEqual(new byte[] { 10, 77, 40 }) && last[3] is >= 100 and <= 150,
            $"{unknown["ip"]} is not from the remote network's pool 10.77.40.100-150");
        agent.WaitFor($"DHCP Ack {unknown["ip"]} to {UnknownMac} (unknown host) for its Request on s0 (remote)");
    }
}
