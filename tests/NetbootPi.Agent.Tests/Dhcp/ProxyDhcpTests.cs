using System.Text.RegularExpressions;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Dhcp;

/// <summary>
/// ProxyDHCP: on one bridge, dnsmasq hands out addresses and the agent (dhcp.mode: proxy) adds boot
/// information for PXE clients only (PXE 2.1 §2.2.5), never an address.
/// </summary>
public partial class ProxyDhcpTests
{
    private const string PxeMac = "02:77:05:00:00:0a";

    private const string PxeOptions = """
        send vendor-class-identifier "PXEClient:Arch:00000:UNDI:002001";
        send pxe-system-type 0;
        """;

    [Fact]
    public async Task Pxe_client_is_offered_boot_information_without_an_address_and_a_plain_client_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var dhclient = Peers.Require("dhclient", "isc-dhcp-client");
        var dnsmasq = Peers.Require("dnsmasq", "dnsmasq-base");
        var nmap = Peers.Require("nmap", "nmap");
        using var lab = new NetLab();
        var lan = lab.Namespace("lan");
        var srv = lab.Namespace("srv");
        var cli = lab.Namespace("cli");
        var plain = lab.Namespace("plain");
        lab.Bridge(lan, "br0", "10.77.5.2/24");
        lab.Attach(lan, "br0", "p-srv", srv, "s0", "10.77.5.1/24");
        lab.Attach(lan, "br0", "p-cli", cli, "c0", null, PxeMac);
        lab.Attach(lan, "br0", "p-plain", plain, "c0", "10.77.5.250/24"); // nmap sends from an addressed interface
        var site = lab.DhcpSite($$"""
            lan: { interface: s0, address: 10.77.5.1/24, dhcp: { mode: proxy } }
            """);
        using var agent = lab.StartAgent(srv, site);
        agent.WaitFor("DHCP server listening on s0, port 67 and 4011 (proxy)");
        lab.Start(lan, dnsmasq, "--no-daemon", "--port=0", "--no-resolv", "--no-hosts", "--user=root", "--interface=br0",
            "--bind-interfaces", "--dhcp-range=10.77.5.100,10.77.5.150,255.255.255.0,1h", "--no-ping",
            $"--dhcp-leasefile={lab.Path("dnsmasq.leases")}", $"--pid-file={lab.Path("dnsmasq.pid")}");
        // dhclient's first DISCOVER must find dnsmasq listening: a lost one is retried only seconds later.
        await WaitForUdpListener(lab, lan, 67, ct);

        // The address comes from dnsmasq (dhclient ignores an offer without one); the agent's offer to the same
        // client carries no address. Its boot file and options are checked by the engine's in-memory tests.
        var pxe = await Dhclient.LeaseAsync(lab, cli, "c0", dhclient, "pxe", PxeOptions, agent, ct);
        Assert.Equal("10.77.5.2", pxe["new_dhcp_server_identifier"]);
        Assert.StartsWith("10.77.5.1", pxe["new_ip_address"]);
        agent.WaitFor(l => l.Contains("DHCP Offer 0.0.0.0 to ", StringComparison.Ordinal) && l.EndsWith(" on s0 (lan)", StringComparison.Ordinal), 0,
            "a ProxyDHCP offer on s0 (lan)");

        // nmap sends no option 60: only dnsmasq may answer it.
        var offersBefore = Regex.Matches(agent.Output, "DHCP Offer ").Count;
        var (code, stdout, stderr) = await lab.RunAsync(plain, nmap,
            ["-e", "c0", "--script", "broadcast-dhcp-discover", "--script-args", "broadcast-dhcp-discover.timeout=3"], ct);
        Assert.True(code == 0, $"nmap failed ({code}): {stdout}{stderr}");
        var servers = ServerRegex().Matches(stdout).Select(m => m.Groups[1].Value).ToArray();
        Assert.True(servers is ["10.77.5.2"], $"expected one offer, from dnsmasq:\n{stdout}");
        Assert.Equal(offersBefore, Regex.Matches(agent.Output, "DHCP Offer ").Count);

        // And the agent stops cleanly (its router advertiser once failed on a just-created link at shutdown).
        agent.Signal("TERM");
        Assert.True(agent.WaitForExit() == 0, agent.Output);
    }

    private static async Task WaitForUdpListener(NetLab lab, string ns, int port, CancellationToken ct)
    {
        var ss = Peers.Require("ss", "iproute2");
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(50, ct))
        {
            var (_, listening, _) = await lab.RunAsync(ns, ss, ["-Hlun", $"sport = :{port}"], ct);
            if (listening.Trim().Length > 0) return;
        }
        throw new Xunit.Sdk.XunitException($"nothing listens on UDP port {port} in {ns} after 10 s");
    }

    [GeneratedRegex(@"Server Identifier: (\S+)")]
    private static partial Regex ServerRegex();
}
