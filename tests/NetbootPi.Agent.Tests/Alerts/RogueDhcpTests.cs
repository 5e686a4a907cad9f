using NetbootPi.Agent.Events;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Alerts;

/// <summary>
/// Another DHCP server on a network the box serves: a real dnsmasq on the same bridge as the agent hands a client its
/// address, and the agent, which hears the client's broadcast REQUEST naming dnsmasq (option 54), raises a
/// <c>rogue-dhcp</c> alert once. Nothing is sent to find it: the box only listens to what reaches its port 67 anyway.
/// </summary>
public class RogueDhcpTests
{
    private const string ClientMac = "02:77:08:00:00:0a";

    [Fact]
    public async Task A_client_taking_dnsmasq_s_offer_on_the_box_s_network_is_a_rogue_dhcp_alert()
    {
        var ct = TestContext.Current.CancellationToken;
        var udhcpc = Peers.Require("udhcpc", "udhcpc");
        var dnsmasq = Peers.Require("dnsmasq", "dnsmasq-base");
        using var lab = new NetLab();
        var lan = lab.Namespace("lan");
        var srv = lab.Namespace("srv");
        var rogue = lab.Namespace("rogue");
        var cli = lab.Namespace("cli");
        lab.Bridge(lan, "br0", null);
        lab.Attach(lan, "br0", "p-srv", srv, "s0", "10.77.8.1/24");
        lab.Attach(lan, "br0", "p-rogue", rogue, "r0", "10.77.8.3/24");
        lab.Attach(lan, "br0", "p-cli", cli, "c0", null, ClientMac);
        // No pool: the agent offers the unknown client nothing, so the client can only take dnsmasq's offer.
        var site = lab.DhcpSite("lan: { interface: s0, address: 10.77.8.1/24, dhcp: { mode: authoritative } }");
        using var agent = lab.StartAgent(srv, site);
        agent.WaitFor("DHCP server listening on s0");
        lab.Start(rogue, dnsmasq, "--no-daemon", "--port=0", "--no-resolv", "--no-hosts", "--user=root", "--interface=r0",
            "--bind-interfaces", "--dhcp-range=10.77.8.100,10.77.8.150,255.255.255.0,1h", "--no-ping",
            $"--dhcp-leasefile={lab.Path("dnsmasq.leases")}", $"--pid-file={lab.Path("dnsmasq.pid")}");

        var script = lab.Script("udhcpc.sh", $"[ \"$1\" = bound ] && env > {lab.Path("bound.env")}\nexit 0");
        // udhcpc retries a DISCOVER a second later when dnsmasq was not listening yet.
        var (code, stdout, stderr) = await lab.RunAsync(cli, udhcpc, ["-i", "c0", "-f", "-q", "-n", "-t", "10", "-T", "1", "-s", script], ct);
        Assert.True(code == 0, $"udhcpc failed ({code}): {stdout}{stderr}\nagent:\n{agent.Output}");
        var bound = File.ReadAllLines(lab.Path("bound.env")).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        Assert.Equal("10.77.8.3", bound["serverid"]);

        var line = agent.WaitFor("alert rogue-dhcp ");
        Assert.EndsWith($": another DHCP server, 10.77.8.3, gave client {ClientMac} an address on network lan (s0), which the box serves (find and stop it; if it is meant to hand out addresses there, set the network's dhcp: {{ mode: proxy }})", line, StringComparison.Ordinal);
        // A second client of the same server an hour later would be a second alert; the same one again is not.
        File.Delete(lab.Path("bound.env"));
        (code, _, _) = await lab.RunAsync(cli, udhcpc, ["-i", "c0", "-f", "-q", "-n", "-t", "10", "-T", "1", "-s", script], ct);
        Assert.Equal(0, code);
        agent.Signal("TERM");
        Assert.True(agent.WaitForExit() == 0, agent.Output);
        var alerts = BootEventLog.ReadFiles(lab.Path("state")).Where(e => e.Kind == BootEventKind.Alert).ToList();
        var e = Assert.Single(alerts);
        Assert.StartsWith("rogue-dhcp: another DHCP server, 10.77.8.3, gave client ", e.Path, StringComparison.Ordinal);
        Assert.Equal(("alerts", 1), (e.Client, e.Status));
    }
}
