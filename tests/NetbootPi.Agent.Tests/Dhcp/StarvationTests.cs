using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Dhcp;

/// <summary>
/// DHCP starvation against the agent as its own process (docs/dhcp.md): perfdhcp floods a 32-address pool with
/// DORA exchanges from random MACs (-R) until it is exhausted; a host with a static address in the site still
/// gets it from udhcpc during the flood, a new client does not; once the flood stops, a new client gets an address
/// within about the first-lease probation (a minute), since the flooder never renews.
/// </summary>
public partial class StarvationTests
{
    private const string KnownMac = "02:77:09:00:00:01";
    private const string NewMac = "02:77:09:00:00:02";

    [Fact]
    public async Task A_random_mac_flood_starves_no_known_host_and_the_pool_returns_after_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var udhcpc = Peers.Require("udhcpc", "udhcpc");
        var perfdhcp = Peers.Require("perfdhcp", "kea-admin");
        using var lab = new NetLab();
        var srv = lab.Namespace("srv");
        var cli = lab.Namespace("cli");
        var perf = lab.Namespace("perf");
        lab.Bridge(srv, "br0", "10.77.9.1/24");
        lab.Attach(srv, "br0", "p-cli", cli, "c0", null);
        lab.Attach(srv, "br0", "p-perf", perf, "p0", "10.77.9.5/24");
        var site = lab.DhcpSite($$"""
            lan: { interface: br0, address: 10.77.9.1/24, dhcp: { mode: authoritative, range: 10.77.9.100-10.77.9.131, lease: 1h } }
            """, $$"""
            known: { mac: {{KnownMac}}, ip: 10.77.9.10 }
            """);
        using var agent = lab.StartAgent(srv, site);
        agent.WaitFor("DHCP server listening on br0");
        var script = lab.Script("udhcpc.sh", $"[ \"$1\" = bound ] && echo \"$ip $lease\" > {lab.Path("bound")}\nexit 0");

        async Task<(string Ip, int Lease)?> Lease(string mac, int tries)
        {
            lab.SetMac(cli, "c0", mac);
            File.Delete(lab.Path("bound"));
            var (code, _, _) = await lab.RunAsync(cli, udhcpc, ["-i", "c0", "-f", "-q", "-n", "-t", tries.ToString(CultureInfo.InvariantCulture), "-T", "1", "-s", script], ct);
            if (code != 0 || !File.Exists(lab.Path("bound"))) return null;
            var parts = (await File.ReadAllTextAsync(lab.Path("bound"), ct)).Split(' ', StringSplitOptions.TrimEntries);
            return (parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        // 200 exchanges a second from up to 100,000 MACs for 15 s: the pool goes in the first fraction of a second.
        var flood = lab.RunAsync(perf, perfdhcp, ["-4", "-l", "p0", "-r", "200", "-R", "100000", "-p", "15", "10.77.9.1"], ct, TimeSpan.FromSeconds(40));
        agent.WaitFor("PoolExhausted");

        var known = await Lease(KnownMac, 5);
        Assert.True(known is { Ip: "10.77.9.10", Lease: 3600 }, $"the known host got {known?.ToString() ?? "nothing"} during the flood\nagent:\n{Tail(agent.Output)}");
        var starved = await Lease(NewMac, 3);
        Assert.True(starved is null, $"a new client got {starved} during the flood: the pool was not exhausted, the test proves nothing");

        var (_, perfOut, perfErr) = await flood;
        var offered = OfferedRegex().Match(perfOut);
        Assert.True(offered.Success, $"perfdhcp printed no statistics:\n{perfOut}{perfErr}");
        Assert.Matches(NonUniqueRegex(), perfOut);

        // The flood has stopped: a new client keeps asking (udhcpc, one DISCOVER a second) until an address comes back.
        var clock = Stopwatch.StartNew();
        var after = await Lease(NewMac, 100);
        Assert.True(after is not null, $"no address for a new client within {clock.Elapsed.TotalSeconds:0} s of the flood's end\nagent:\n{Tail(agent.Output)}");
        var last = System.Net.IPAddress.Parse(after.Value.Ip).GetAddressBytes()[3];
        Assert.InRange(last, 100, 131);
        // Its first lease is on probation too.
        Assert.Equal(60, after.Value.Lease);
        TestContext.Current.SendDiagnosticMessage($"TIME starvation: a new client leased {after.Value.Ip} {clock.Elapsed.TotalSeconds:0.0} s after the flood ({offered.Value})");
    }

    private static string Tail(string output) => output.Length > 4000 ? output[^4000..] : output;

    [GeneratedRegex(@"sent packets: \d+")]
    private static partial Regex OfferedRegex();

    [GeneratedRegex(@"non unique addresses: 0\b")]
    private static partial Regex NonUniqueRegex();
}
