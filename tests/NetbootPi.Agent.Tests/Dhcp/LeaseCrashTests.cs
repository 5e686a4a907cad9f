using System.Globalization;
using System.Text.RegularExpressions;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Dhcp;

/// <summary>
/// Leases survive kill -9: under a perfdhcp load (100 simulated clients, 4-way exchanges, relayed: giaddr is
/// perfdhcp's own address), udhcpc clients with distinct MACs lease one after another while the agent is killed
/// mid-run and restarted. perfdhcp cannot list what it was ACKed, so the udhcpc clients record theirs: every
/// one must be in the store afterwards; no address may have been ACKed to (by perfdhcp's own count), or be
/// held in the store by, two MACs.
/// </summary>
public partial class LeaseCrashTests
{
    private const int Clients = 40;
    private const int KillAt = 15;

    [Fact]
    public async Task Every_acked_lease_survives_kill_9_and_no_address_is_held_twice()
    {
        var ct = TestContext.Current.CancellationToken;
        var udhcpc = Peers.Require("udhcpc", "udhcpc");
        var perfdhcp = Peers.Require("perfdhcp", "kea-admin");
        using var lab = new NetLab();
        var srv = lab.Namespace("srv");
        var cli = lab.Namespace("cli");
        var perf = lab.Namespace("perf");
        lab.Bridge(srv, "br0", "10.77.6.1/24");
        lab.Attach(srv, "br0", "p-cli", cli, "c0", null);
        lab.Attach(srv, "br0", "p-perf", perf, "p0", "10.77.6.5/24");
        var site = lab.DhcpSite($$"""
            lan: { interface: br0, address: 10.77.6.1/24, dhcp: { mode: authoritative, range: 10.77.6.10-10.77.6.250, lease: 1h } }
            """);
        var first = lab.StartAgent(srv, site);
        first.WaitFor("DHCP server listening on br0");

        var load = lab.RunAsync(perf, perfdhcp, ["-4", "-l", "p0", "-r", "200", "-R", "100", "-p", "6", "10.77.6.1"], ct, TimeSpan.FromSeconds(30));
        first.WaitFor("DHCP Ack "); // the load is running

        // The agent is killed while a udhcpc exchange and the perfdhcp load are in flight; the clients keep
        // retransmitting (udhcpc -t/-T) until the restarted agent answers.
        Task<AgentProcess>? killer = null;

        var script = lab.Script("udhcpc.sh", $"[ \"$1\" = bound ] && echo \"$ip\" > {lab.Path("bound.ip")}\nexit 0");
        var acked = new List<(string Mac, string Ip)>();
        for (var i = 0; i < Clients; i++)
        {
            if (i == KillAt)
            {
                killer = Task.Run(() =>
                {
                    first.Signal("KILL");
                    first.WaitForExit();
                    var second = lab.StartAgent(srv, site);
                    second.WaitFor("DHCP server listening on br0");
                    return second;
                }, ct);
            }
            var mac = string.Create(CultureInfo.InvariantCulture, $"02:77:06:00:00:{i:x2}");
            lab.SetMac(cli, "c0", mac);
            File.Delete(lab.Path("bound.ip"));
            var (code, _, _) = await lab.RunAsync(cli, udhcpc, ["-i", "c0", "-f", "-q", "-n", "-t", "6", "-T", "1", "-s", script], ct);
            if (code == 0 && File.Exists(lab.Path("bound.ip"))) acked.Add((mac, (await File.ReadAllTextAsync(lab.Path("bound.ip"), ct)).Trim()));
        }
        var agent = await killer!.WaitAsync(TimeSpan.FromSeconds(60), ct);
        var (_, perfOut, perfErr) = await load;

        Assert.True(acked.Count >= Clients - 2, $"only {acked.Count} of {Clients} clients got a lease\nagent:\n{agent.Output}");
        Assert.True(Regex.Matches(agent.Output, "DHCP Ack ").Count > 0, "no ACK after the restart");
        // perfdhcp's own duplicate check, over every address it was offered and ACKed across the crash.
        var unique = NonUniqueRegex().Matches(perfOut).Select(m => m.Groups[1].Value).ToArray();
        Assert.True(unique is ["0", "0"], $"perfdhcp saw addresses given to two clients (or no statistics):\n{perfOut}{perfErr}");

        // No address ACKed to two MACs (a lost lease would be handed out again by the restarted agent).
        var twice = acked.GroupBy(a => a.Ip).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(a => a.Mac))}").ToArray();
        Assert.True(twice.Length == 0, "addresses ACKed to two MACs: " + string.Join("; ", twice));

        // Crash again and read the store as a restarted agent would.
        agent.Signal("KILL");
        agent.WaitForExit();
        var (lcode, listing, lerr) = await Tool.RunAsync(AgentProcess.Executable, ["leases", "--config", site], ct);
        Assert.True(lcode == 0, lerr);
        var held = LeaseLineRegex().Matches(listing).Select(m => (Ip: m.Groups[1].Value, Mac: m.Groups[2].Value, State: m.Groups[3].Value)).ToArray();
        foreach (var (mac, ip) in acked)
            Assert.True(held.Any(l => l.Ip == ip && l.Mac == mac && l.State == "bound"), $"ACKed lease {ip} {mac} is not in the store:\n{listing}");
        var shared = held.GroupBy(l => l.Ip).Where(g => g.Select(l => l.Mac).Distinct().Count() > 1).Select(g => g.Key).ToArray();
        Assert.True(shared.Length == 0, $"addresses held by two MACs: {string.Join(", ", shared)}\n{listing}");
        var macs = held.GroupBy(l => l.Mac).Where(g => g.Count(l => l.State == "bound") > 1).Select(g => g.Key).ToArray();
        Assert.True(macs.Length == 0, $"MACs holding two bound addresses: {string.Join(", ", macs)}\n{listing}");
    }

    [GeneratedRegex(@"non unique addresses: (\d+)")]
    private static partial Regex NonUniqueRegex();

    [GeneratedRegex(@"^(\d+\.\d+\.\d+\.\d+)\s+([0-9a-f:]{17})\s+\S+\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex LeaseLineRegex();
}
