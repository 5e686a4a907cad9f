using System.Diagnostics;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Dhcp;

/// <summary>
/// RFC 2131 §4.1: a client without an address that did not set the broadcast flag (busybox udhcpc without -B)
/// gets its OFFER and ACK unicast to yiaddr at chaddr; the agent adds the ARP entry the kernel needs (SIOCSARP),
/// since the client cannot answer ARP for an address it does not have yet (and the test's client never
/// configures it). Without CAP_NET_ADMIN the agent says so once and broadcasts.
/// </summary>
public class UnicastReplyTests
{
    private const string Mac = "02:77:06:00:00:0a";

    [Fact]
    public async Task Replies_to_a_client_without_the_broadcast_flag_are_unicast_to_yiaddr_at_chaddr()
    {
        var ct = TestContext.Current.CancellationToken;
        var (lab, srv, cli, site) = await SetUpAsync(ct);
        using (lab)
        {
            using var agent = lab.StartAgent(srv, site);
            agent.WaitFor("DHCP server listening on s0");
            var replies = await CaptureRepliesAsync(lab, cli, ct);

            Assert.NotEmpty(replies);
            // tcpdump -e -n: "SRCMAC > DSTMAC, ethertype IPv4 (0x0800), length N: 10.77.6.1.67 > DST.68: BOOTP/DHCP, Reply"
            Assert.All(replies, line => Assert.Contains($"> {Mac}, ethertype IPv4", line));
            Assert.All(replies, line => Assert.Contains("10.77.6.1.67 > 10.77.6.10.68:", line));
            Assert.True(replies.Count >= 2, $"expected the OFFER and the ACK, captured:\n{string.Join('\n', replies)}");
            var (_, neigh, _) = await lab.RunAsync(srv, lab.Ip, ["neigh", "show", "10.77.6.10", "dev", "s0"], ct);
            Assert.Contains($"lladdr {Mac}", neigh);
            Assert.DoesNotContain("cannot add ARP entries", agent.Output);
        }
    }

    [Fact]
    public async Task Without_cap_net_admin_the_replies_are_broadcast_and_the_agent_says_why_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var setpriv = Peers.Require("setpriv", "util-linux");
        var (lab, srv, cli, site) = await SetUpAsync(ct);
        using (lab)
        {
            using var agent = lab.StartAgent(srv, site, setpriv, "--bounding-set=-net_admin", "--inh-caps=-net_admin");
            agent.WaitFor("DHCP server listening on s0");
            var replies = await CaptureRepliesAsync(lab, cli, ct);

            Assert.True(replies.Count >= 2, $"expected the OFFER and the ACK, captured:\n{string.Join('\n', replies)}");
            Assert.All(replies, line => Assert.Contains("> ff:ff:ff:ff:ff:ff, ethertype IPv4", line));
            Assert.All(replies, line => Assert.Contains("10.77.6.1.67 > 255.255.255.255.68:", line));
            agent.WaitFor("DHCP on s0: cannot add ARP entries");
            Assert.Single(agent.Output.Split('\n'), l => l.Contains("cannot add ARP entries", StringComparison.Ordinal));
        }
    }

    private static async Task<(NetLab Lab, string Srv, string Cli, string Site)> SetUpAsync(CancellationToken ct)
    {
        Peers.Require("udhcpc", "udhcpc");
        Peers.Require("tcpdump", "tcpdump");
        var lab = new NetLab();
        try
        {
            var srv = lab.Namespace("srv");
            var cli = lab.Namespace("cli");
            lab.Link(srv, "s0", "10.77.6.1/24", cli, "c0", null, Mac);
            var site = lab.Path("site.yaml");
            await File.WriteAllTextAsync(site, $$"""
                site: { name: lab }
                server: { state_dir: {{lab.Path("state")}} }
                networks:
                  lan:
                    interface: s0
                    address: 10.77.6.1/24
                    dhcp: { mode: authoritative, range: 10.77.6.100-10.77.6.150 }
                profiles:
                  p: { local: true }
                defaults: { profile: p }
                hosts:
                  h: { mac: {{Mac}}, ip: 10.77.6.10 }
                """, ct);
            return (lab, srv, cli, site);
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs udhcpc (no -B: the broadcast flag stays clear) once in <paramref name="cli"/> under tcpdump and returns
    /// tcpdump's lines for the server's replies (UDP from port 67), with link-layer headers.
    /// </summary>
    private static async Task<List<string>> CaptureRepliesAsync(NetLab lab, string cli, CancellationToken ct)
    {
        var tcpdump = Peers.Require("tcpdump", "tcpdump");
        var udhcpc = Peers.Require("udhcpc", "udhcpc");
        var pcap = lab.Path("replies.pcap");
        // --immediate-mode hands each packet over at once (not per ring-buffer block, which a stopped capture
        // would lose), -U writes it at once; -Z root keeps tcpdump able to write into the lab directory.
        var capture = lab.Start(cli, tcpdump, "-i", "c0", "-n", "--immediate-mode", "-U", "-Z", "root", "-w", pcap, "udp and src port 67");
        // The capture file appears once tcpdump listens; a bounded wait for that, not a timing assumption.
        var ready = Stopwatch.StartNew();
        while (!File.Exists(pcap) || new FileInfo(pcap).Length == 0)
        {
            if (capture.HasExited || ready.Elapsed > TimeSpan.FromSeconds(20))
                throw new Xunit.Sdk.XunitException($"tcpdump did not start capturing (exited: {capture.HasExited})");
            await Task.Delay(20, ct);
        }
        var (code, stdout, stderr) = await lab.RunAsync(cli, udhcpc, ["-i", "c0", "-f", "-q", "-n", "-t", "5", "-T", "1", "-s", "/bin/true"], ct);
        Assert.True(code == 0, $"udhcpc failed ({code}): {stdout}{stderr}");
        capture.Kill();
        await capture.WaitForExitAsync(ct);
        var (_, text, _) = await Tool.RunAsync(tcpdump, ["-r", pcap, "-n", "-e"], ct);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
