using System.Text.RegularExpressions;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Dhcp;

/// <summary>nmap's broadcast-dhcp-discover, a DHCP implementation of its own, sees the agent's offer.</summary>
public partial class NmapDiscoverTests
{
    [Fact]
    public async Task Broadcast_discover_sees_an_offer_from_the_pool_with_our_server_identifier()
    {
        var ct = TestContext.Current.CancellationToken;
        var nmap = Peers.Require("nmap", "nmap");
        using var lab = new NetLab();
        var srv = lab.Namespace("srv");
        var cli = lab.Namespace("cli");
        // nmap wants an IPv4 address on the interface it sends from; one outside the pool.
        lab.Link(srv, "s0", "10.77.3.1/24", cli, "c0", "10.77.3.250/24");
        var site = lab.DhcpSite($$"""
            lan: { interface: s0, address: 10.77.3.1/24, dhcp: { mode: authoritative, range: 10.77.3.100-10.77.3.150, lease: 2h, router: 10.77.3.1 } }
            """);
        using var agent = lab.StartAgent(srv, site);
        agent.WaitFor("DHCP server listening on s0");

        var (code, stdout, stderr) = await lab.RunAsync(cli, nmap,
            ["-e", "c0", "--script", "broadcast-dhcp-discover", "--script-args", "broadcast-dhcp-discover.timeout=5"], ct);
        Assert.True(code == 0, $"nmap failed ({code}): {stdout}{stderr}");
        var offered = OfferedRegex().Match(stdout);
        Assert.True(offered.Success, $"no offer in nmap's output:\n{stdout}\nagent:\n{agent.Output}");
        var last = int.Parse(offered.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(last, 100, 150);
        Assert.Matches(@"Server Identifier: 10\.77\.3\.1\s", stdout);
        Assert.Matches(@"DHCP Message Type: DHCPOFFER", stdout);
        // A MAC the agent has never bound gets its first lease on probation, a minute (docs/dhcp.md: starvation);
        // the site's 2h comes with its first renewal.
        Assert.Matches(@"IP Address Lease Time: 1m", stdout);
        Assert.Matches(@"Router: 10\.77\.3\.1\s", stdout);
        Assert.Matches(@"Domain Name: lab\.internal", stdout);
    }

    [GeneratedRegex(@"IP Offered: 10\.77\.3\.(\d+)")]
    private static partial Regex OfferedRegex();
}
