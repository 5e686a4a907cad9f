using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Dhcp;

/// <summary>
/// A relayed topology: client — relay (dnsmasq --dhcp-relay) — agent, on two links. The relay stamps giaddr
/// with its client-side address; the agent must pick the network containing giaddr and answer the relay on
/// port 67 (RFC 2131 §4.1), and the relay hands the reply to the client.
/// </summary>
public class RelayTests
{
    private const string KnownMac = "02:77:04:00:00:0a";
    private const string UnknownMac = "02:77:04:00:00:99";

    [Fact]
    public async Task Client_behind_a_relay_gets_an_address_of_its_own_subnet()
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
        await lab.RunAsync(srv, lab.Ip, ["route", "add", "10.77.40.0/24", "via", "10.77.41.2"], ct);
        // The site file has no relay-only network: every network needs an interface and the box's address on
        // it. The client subnet is declared on an interface the box does not have (so nothing listens or is
        // configured there) with an address nobody answers on; relayed requests are matched to it by giaddr.
        // The transport listens only on interfaces of DHCP-serving networks, so the link to the relay serves too.
        var site = lab.Path("site.yaml");
        await File.WriteAllTextAsync(site, $$"""
            site: { name: lab, domain: lab.internal }
            server: { state_dir: {{lab.Path("state")}} }
            networks:
              core:
                interface: s0
                address: 10.77.41.1/24
                dhcp: { mode: authoritative, range: 10.77.41.100-10.77.41.110 }
              remote:
                interface: relayed0
                address: 10.77.40.254/24
                dhcp: { mode: authoritative, range: 10.77.40.100-10.77.40.150, lease: 20m, router: 10.77.40.1 }
            profiles:
              p: { local: true }
            defaults: { profile: p }
            hosts:
              known: { mac: {{KnownMac}}, ip: 10.77.40.10 }
            """, ct);
        using var agent = lab.StartAgent(srv, site);
        agent.WaitFor("DHCP server listening on s0");
        lab.Start(rly, dnsmasq, "--no-daemon", "--port=0", "--no-resolv", "--no-hosts", "--user=root",
            $"--pid-file={lab.Path("dnsmasq.pid")}", "--log-dhcp", "--dhcp-relay=10.77.40.1,10.77.41.1");

        var script = lab.Script("udhcpc.sh", $"[ \"$1\" = bound ] && env > {lab.Path("bound.env")}\nexit 0");
        async Task<Dictionary<string, string>> Lease()
        {
            File.Delete(lab.Path("bound.env"));
            // The relay may still be starting for the first DISCOVER: udhcpc retransmits each second.
            var (code, stdout, stderr) = await lab.RunAsync(cli, udhcpc, ["-i", "c0", "-f", "-q", "-n", "-t", "8", "-T", "1", "-s", script], ct);
            Assert.True(code == 0, $"udhcpc failed ({code}): {stdout}{stderr}\nagent:\n{agent.Output}");
            return (await File.ReadAllLinesAsync(lab.Path("bound.env"), ct))
                .Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
                .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        }

        var known = await Lease();
        Assert.Equal("10.77.40.10", known["ip"]);
        Assert.Equal("10.77.40.1", known["router"]);
        Assert.Equal("1200", known["lease"]);
        agent.WaitFor("DHCP Ack 10.77.40.10 on s0 (remote)");

        lab.SetMac(cli, "c0", UnknownMac);
        var unknown = await Lease();
        var last = System.Net.IPAddress.Parse(unknown["ip"]).GetAddressBytes();
        Assert.True(last[..3].SequenceEqual(new byte[] { 10, 77, 40 }) && last[3] is >= 100 and <= 150,
            $"{unknown["ip"]} is not from the remote network's pool 10.77.40.100-150");
    }
}
