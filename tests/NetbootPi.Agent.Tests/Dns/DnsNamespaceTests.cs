using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Dns;

/// <summary>
/// The agent in a network namespace of its own on port 53 of the addresses the site gives it, as on the box: the
/// boot network and the management network answer, the WAN does not. The clients are dig, host and glibc's own
/// resolver (getent), in a second namespace whose resolv.conf names the box.
/// </summary>
public class DnsNamespaceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Boot_and_management_networks_answer_the_wan_does_not()
    {
        using var lab = new NetLab();
        var dig = Peers.Require("dig", "dnsutils");
        var host = Peers.Require("host", "bind9-host");
        var box = lab.Namespace("box");
        var client = lab.Namespace("cl");
        var outside = lab.Namespace("out");
        lab.Link(box, "lan0", "10.27.0.1/24", client, "c-lan", "10.27.0.2/24");
        lab.Link(box, "mgmt0", "10.28.0.1/24", client, "c-mgmt", "10.28.0.2/24");
        lab.Link(box, "wan0", "10.29.0.1/24", outside, "o-wan", "10.29.0.2/24");
        var site = lab.Path("site.yaml");
        File.WriteAllText(site, $"""
            site: {"{"} name: lab, domain: lab.internal {"}"}
            server: {"{"} state_dir: {lab.Path("state")}, data_dir: {lab.Path("data")} {"}"}
            networks:
              lan:  {"{"} interface: lan0, address: 10.27.0.1/24, dhcp: {"{"} mode: authoritative, range: 10.27.0.100-10.27.0.199 {"}"} {"}"}
              mgmt: {"{"} role: management, interface: mgmt0, address: 10.28.0.1/24 {"}"}
              wan:  {"{"} role: wan, interface: wan0, address: 10.29.0.1/24 {"}"}
            profiles: {"{"} p: {"{"} local: true {"}"} {"}"}
            defaults: {"{"} profile: p {"}"}
            hosts:
              napalm: {"{"} mac: 02:00:00:00:27:01, ip: 10.27.0.10 {"}"}
            dns: {"{"}{"}"}
            """);
        using var agent = lab.StartAgent(box, site, []);
        agent.WaitFor("DNS listening on 10.27.0.1:53");
        agent.WaitFor("DNS listening on 10.28.0.1:53");
        Assert.DoesNotContain("10.29.0.1:53", agent.Output, StringComparison.Ordinal);

        var (code, o, e) = await lab.RunAsync(client, dig, ["@10.27.0.1", "+short", "napalm.lab.internal"], Ct);
        Assert.True(code == 0, e);
        Assert.Equal("10.27.0.10", o.Trim());
        (code, o, e) = await lab.RunAsync(client, host, ["10.27.0.10", "10.28.0.1"], Ct);
        Assert.True(code == 0, e + o);
        Assert.Contains("10.0.27.10.in-addr.arpa domain name pointer napalm.lab.internal.", o);
        (code, o, _) = await lab.RunAsync(client, host, ["nothere.lab.internal", "10.27.0.1"], Ct);
        Assert.Contains("NXDOMAIN", o);

        // glibc's resolver: `ip netns exec` mounts /etc/netns/NAME/resolv.conf over /etc/resolv.conf.
        var etc = Path.Combine("/etc/netns", client);
        Directory.CreateDirectory(etc);
        try
        {
            File.WriteAllText(Path.Combine(etc, "resolv.conf"), "nameserver 10.27.0.1\nsearch lab.internal\noptions timeout:2 attempts:1\n");
            (code, o, e) = await lab.RunAsync(client, "getent", ["hosts", "napalm.lab.internal"], Ct);
            Assert.True(code == 0, $"getent exited {code}: {e}");
            Assert.Matches(@"^10\.27\.0\.10\s+napalm\.lab\.internal$", o.Trim());
            // The search domain, as a machine on the boot network would use it.
            (code, o, _) = await lab.RunAsync(client, "getent", ["hosts", "netbootpi"], Ct);
            Assert.True(code == 0);
            Assert.Contains("netbootpi.lab.internal", o);
        }
        finally
        {
            Directory.Delete(etc, recursive: true);
        }

        // From the WAN: nothing listens (the kernel's port unreachable ends dig at once).
        (code, o, _) = await lab.RunAsync(outside, dig, ["@10.29.0.1", "+tries=1", "+time=2", "napalm.lab.internal"], Ct);
        Assert.NotEqual(0, code);
        Assert.DoesNotContain("ANSWER SECTION", o);
    }
}
