using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Dns;

/// <summary>
/// busybox udhcpc sends hostname laptop (-x hostname:laptop) and gets a pool lease from the agent, which then answers
/// laptop.lab.internal and its PTR to dig; the name survives a restart of the agent (the lease store keeps it), goes
/// when udhcpc releases the lease (-R), and gives way to a site host of that name added by a reload.
/// </summary>
public class PooledNameNamespaceTests
{
    private const string LaptopMac = "02:27:01:00:00:42";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Udhcpc_hostname_resolves_while_its_lease_lasts()
    {
        using var lab = new NetLab();
        var dig = Peers.Require("dig", "dnsutils");
        var udhcpc = Peers.Require("udhcpc", "udhcpc");
        var box = lab.Namespace("box");
        var client = lab.Namespace("cl");
        // The client keeps an address of its own outside the pool for dig, which still works once the lease is released.
        lab.Link(box, "lan0", "10.27.0.1/24", client, "c0", "10.27.0.250/24", LaptopMac);
        var site = lab.Path("site.yaml");
        string Site(string extraHost) => $$"""
            site: { name: lab, domain: lab.internal }
            server: { state_dir: {{lab.Path("state")}}, data_dir: {{lab.Path("data")}} }
            networks:
              lan: { interface: lan0, address: 10.27.0.1/24, dhcp: { mode: authoritative, range: 10.27.0.100-10.27.0.199, lease: 1h } }
            profiles: { p: { local: true } }
            defaults: { profile: p }
            hosts:
              napalm: { mac: 02:00:00:00:27:01, ip: 10.27.0.10 }
            {{extraHost}}
            dns: {}

            """;
        File.WriteAllText(site, Site(""));
        // The lease's address goes on the interface (/32: the pool's route is 10.27.0.250's) so that udhcpc -R can
        // send its RELEASE from it, as a configured client does.
        var script = lab.Script("udhcpc.sh", $"[ \"$1\" = bound ] || exit 0\nip addr replace $ip/32 dev $interface\necho $ip > {lab.Path("bound.ip")}\n");

        async Task<string> Lease()
        {
            File.Delete(lab.Path("bound.ip"));
            var (code, o, e) = await lab.RunAsync(client, udhcpc,
                ["-i", "c0", "-f", "-q", "-n", "-t", "5", "-T", "1", "-s", script, "-x", "hostname:laptop"], Ct);
            Assert.True(code == 0, $"udhcpc failed ({code}): {o}{e}");
            return (await File.ReadAllTextAsync(lab.Path("bound.ip"), Ct)).Trim();
        }

        async Task<string> Dig(params string[] args)
        {
            var (code, o, e) = await lab.RunAsync(client, dig, ["@10.27.0.1", "+tries=1", "+time=2", .. args], Ct);
            Assert.True(code == 0, $"dig {string.Join(' ', args)} exited {code}: {e}{o}");
            return o;
        }

        // The lab ends every agent it started, also when an assertion fails.
        var agent = lab.StartAgent(box, site);
        agent.WaitFor("DNS listening on 10.27.0.1:53");
        agent.WaitFor("DHCP server listening on lan0");
        Assert.Contains("status: NXDOMAIN", await Dig("laptop.lab.internal"));

        var address = await Lease();
        var reverse = "-x";
        Assert.Equal(address, (await Dig("+short", "laptop.lab.internal")).Trim());
        Assert.Equal("laptop.lab.internal.", (await Dig("+short", reverse, address)).Trim());
        // Case-insensitive, answered with the question's spelling, authoritative.
        var answer = await Dig("+norec", "LapTop.Lab.Internal");
        Assert.Contains("flags: qr aa", answer);
        Assert.Contains($"LapTop.Lab.Internal.\t60\tIN\tA\t{address}", answer);
        agent.WaitFor($"DNS laptop.lab.internal is {address} while {LaptopMac}'s lease lasts");

        // A restart: the name comes back from the lease store with the lease.
        agent.Signal("TERM");
        Assert.Equal(0, agent.WaitForExit());
        agent = lab.StartAgent(box, site);
        agent.WaitFor("DNS listening on 10.27.0.1:53");
        agent.WaitFor("DHCP server listening on lan0");
        Assert.Equal(address, (await Dig("+short", "laptop.lab.internal")).Trim());
        Assert.Equal("laptop.lab.internal.", (await Dig("+short", reverse, address)).Trim());
        var (lcode, leases, lerr) = await Tool.RunAsync(AgentProcess.Executable, ["leases", "--config", site], Ct);
        Assert.True(lcode == 0, lerr);
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(address)}\s+{LaptopMac}\s+-\s+bound\s+\S+ \S+\s+laptop \(laptop\.lab\.internal\)", leases);

        // Released: udhcpc running as a client does (no -q, which quits before it counts as bound and so releases
        // nothing even with -R), told to release by SIGUSR2. NXDOMAIN at once, and for the PTR too.
        File.Delete(lab.Path("bound.ip"));
        using var running = lab.Start(client, udhcpc, "-i", "c0", "-f", "-t", "5", "-T", "1", "-s", script, "-x", "hostname:laptop");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!File.Exists(lab.Path("bound.ip")) && DateTime.UtcNow < deadline && !running.HasExited) await Task.Delay(50, Ct);
        Assert.True(File.Exists(lab.Path("bound.ip")), $"udhcpc got no lease:\n{agent.Output}");
        var mark = agent.Mark;
        using (var usr2 = System.Diagnostics.Process.Start("kill", ["-USR2", running.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await usr2.WaitForExitAsync(Ct);
        agent.WaitFor(l => l.Contains("DNS laptop.lab.internal (" + address + ") gone", StringComparison.Ordinal), mark, "the name withdrawn");
        running.Kill();
        Assert.Contains("status: NXDOMAIN", await Dig("laptop.lab.internal"));
        Assert.Contains("status: NXDOMAIN", await Dig(reverse, address));

        // Bound again, then the site gains a host named laptop: the reload gives the name to the host, and says so once.
        Assert.Equal(address, await Lease());
        Assert.Equal(address, (await Dig("+short", "laptop.lab.internal")).Trim());
        mark = agent.Mark;
        File.WriteAllText(site + ".tmp", Site("  laptop: { mac: 02:00:00:00:27:02, ip: 10.27.0.20 }"));
        File.Move(site + ".tmp", site, overwrite: true);
        agent.Signal("HUP");
        agent.WaitFor(l => l.Contains("DNS serving", StringComparison.Ordinal), mark, "the zones rebuilt");
        var refused = agent.WaitFor(l => l.Contains("not giving name laptop", StringComparison.Ordinal), mark, "the refusal");
        Assert.Contains($"{LaptopMac}'s lease of {address}: laptop.lab.internal is site host laptop's name", refused);
        Assert.Equal("10.27.0.20", (await Dig("+short", "laptop.lab.internal")).Trim());
        Assert.Contains("status: NXDOMAIN", await Dig(reverse, address));
        // Renewing with the name again is not logged again.
        await Lease();
        Assert.Equal(1, agent.Output.Split('\n').Count(l => l.Contains("not giving name laptop", StringComparison.Ordinal)));
    }
}
