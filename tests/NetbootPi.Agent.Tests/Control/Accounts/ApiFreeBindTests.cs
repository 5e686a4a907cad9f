using NetbootPi.Agent.Control;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Control.Accounts;

/// <summary>
/// At boot the agent may start before networkd has put the management address up: the API listens on it anyway
/// (IP_FREEBIND) and answers once the address is there. The agent runs in a namespace of its own whose management
/// interface does not exist yet when it starts.
/// </summary>
public class ApiFreeBindTests
{
    [Fact]
    public async Task The_API_starts_before_its_address_exists_and_answers_once_it_does()
    {
        var curl = Peers.Require("curl", "curl");
        using var lab = new NetLab();
        var box = lab.Namespace("box");
        var laptop = lab.Namespace("laptop");
        var site = lab.Path("site.yaml");
        await File.WriteAllTextAsync(site, $$"""
            site: { name: t }
            server: { state_dir: {{lab.Path("state")}}, api_port: 8443, api_http_port: 8080 }
            networks:
              mgmt: { interface: mgmt0, address: 10.77.0.1/24, role: management }
            """, TestContext.Current.CancellationToken);
        using var agent = AgentProcess.Start(new Dictionary<string, string> { [ControlSocketPath.EnvironmentVariable] = lab.Path("control.sock") },
            [lab.Ip, "netns", "exec", box], "run", "--config", site, "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0",
            "--no-dhcp", "--no-dns", "--network-api");
        agent.WaitFor("https://10.77.0.1:8443");
        agent.WaitFor(" ready: site ");
        Assert.DoesNotContain("not starting", agent.Output, StringComparison.Ordinal);

        // networkd's part, late: the interface and its address appear.
        lab.Link(box, "mgmt0", "10.77.0.1/24", laptop, "eth0", "10.77.0.50/24");
        var (code, output, error) = await lab.RunAsync(laptop, curl, ["-sk", "--max-time", "10", "https://10.77.0.1:8443/api/v1/health"], TestContext.Current.CancellationToken);
        Assert.True(code == 0, error);
        Assert.Contains("\"status\": \"up\"", output, StringComparison.Ordinal);
    }
}
