using System.Net;
using System.Net.Sockets;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Hosting;

/// <summary>
/// What a new user meets when starting and reloading the agent: READY means serving, the status line tells what is
/// missing or rejected, start-up failures name the server and the address, no input takes the agent down.
/// </summary>
public class StartAndReloadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-start-").FullName;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private string SitePath => Path.Combine(_dir, "site.yaml");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void WriteSite(string text)
    {
        var tmp = SitePath + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, SitePath, overwrite: true);
    }

    private void WriteSite(byte[] bytes)
    {
        var tmp = SitePath + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, SitePath, overwrite: true);
    }

    private static int FreeTcpPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private string Site(int httpPort, string stateDir) => SiteText.Minimal.Replace("site:\n", $"site:\n", StringComparison.Ordinal)
        .Replace("networks:\n", $"server: {{ state_dir: {stateDir}, http_port: {httpPort} }}\nnetworks:\n", StringComparison.Ordinal);

    [Fact]
    public async Task A_reload_that_moves_the_state_directory_or_the_http_port_is_refused_and_stays_in_the_status_line_until_a_good_file()
    {
        var port = FreeTcpPort();
        var state = Path.Combine(_dir, "state");
        WriteSite(Site(port, state));
        using var notify = new NotifySocket();
        using var agent = AgentProcess.Start(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path },
            "run", "--config", SitePath, "--listen", "127.0.0.1", "--tftp-port", "0", "--no-dhcp");
        Assert.Equal("READY=1\nSTATUS=serving site t: 2 hosts", await notify.ReceiveAsync(Ct));

        WriteSite(Site(port, Path.Combine(_dir, "elsewhere")));
        agent.Signal("HUP");
        Assert.StartsWith("RELOADING=1", await notify.ReceiveAsync(Ct));
        var status = await notify.ReceiveAsync(Ct);
        Assert.StartsWith("READY=1\nSTATUS=serving site t: 2 hosts; reload rejected (1 error; the first: ", status);
        Assert.Contains($"server.state_dir: changed from {state} to {Path.Combine(_dir, "elsewhere")}, which takes a restart", status);
        agent.WaitFor("restart the agent (systemctl restart netbootpi) to use it");

        WriteSite(Site(port + 1 == 65536 ? port - 1 : port + 1, state));
        agent.Signal("HUP");
        Assert.StartsWith("RELOADING=1", await notify.ReceiveAsync(Ct));
        Assert.Contains("server.http_port: changed from", await notify.ReceiveAsync(Ct));

        // A good file clears the rejection from the status line.
        WriteSite(Site(port, state) + "\n  c: { mac: 00:00:00:00:00:03, ip: 10.0.0.12 }");
        agent.Signal("HUP");
        Assert.StartsWith("RELOADING=1", await notify.ReceiveAsync(Ct));
        Assert.Equal("READY=1\nSTATUS=serving site t: 3 hosts", await notify.ReceiveAsync(Ct));
    }

    [Fact]
    public async Task No_file_of_any_shape_takes_the_running_agent_down_on_reload()
    {
        var port = FreeTcpPort();
        WriteSite(Site(port, Path.Combine(_dir, "state")));
        using var notify = new NotifySocket();
        using var agent = AgentProcess.Start(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path },
            "run", "--config", SitePath, "--listen", "127.0.0.1", "--tftp-port", "0", "--no-dhcp");
        Assert.StartsWith("READY=1", await notify.ReceiveAsync(Ct));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        foreach (var (what, bytes, expect) in SiteShapes.Hostile())
        {
            var mark = agent.Mark;
            WriteSite(bytes);
            agent.Signal("HUP");
            agent.WaitFor(l => l.Contains("rejected", StringComparison.Ordinal), mark, $"the rejection of {what}");
            agent.WaitFor(l => l.Contains(expect, StringComparison.Ordinal), mark, $"'{expect}' for {what}");
            Assert.False(agent.HasExited, $"the agent died on {what}");
            // Still serving the site it had.
            var script = await http.GetStringAsync("/boot/00:00:00:00:00:01.ipxe", Ct);
            Assert.Contains("netbootpi site t: a", script);
        }
    }

    [Fact]
    public async Task Listen_keeps_http_on_that_address_too()
    {
        var port = FreeTcpPort();
        WriteSite(Site(port, Path.Combine(_dir, "state")));
        using var agent = AgentProcess.Start(null, "run", "--config", SitePath, "--listen", "127.0.0.2", "--tftp-port", "0", "--no-dhcp");
        agent.WaitFor($"http listening on http://127.0.0.2:{port}");
        using var http = new HttpClient();
        Assert.Contains("#!ipxe", await http.GetStringAsync($"http://127.0.0.2:{port}/boot.ipxe", Ct));
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync($"http://127.0.0.1:{port}/boot.ipxe", Ct));
    }

    [Fact]
    public void A_server_that_cannot_listen_is_named_with_its_address_and_no_stack_trace()
    {
        WriteSite(Site(FreeTcpPort(), Path.Combine(_dir, "state")));
        // 192.0.2.0/24 is TEST-NET-1: on no interface of this machine.
        using var agent = AgentProcess.Start(null, "run", "--config", SitePath, "--listen", "192.0.2.77", "--tftp-port", "0", "--no-dhcp");
        Assert.Equal(1, agent.WaitForExit());
        Assert.Contains("netbootpi: not starting: the HTTP server cannot listen on 192.0.2.77:", agent.Output);
        Assert.Contains(": 192.0.2.77 is not an address of this machine (check --listen, or the interface's address)", agent.Output);
        Assert.DoesNotContain("   at ", agent.Output);
        Assert.DoesNotContain("fail:", agent.Output);
    }

    [Fact]
    public void An_unwritable_state_directory_is_named()
    {
        WriteSite(Site(FreeTcpPort(), "/proc/netbootpi-state"));
        using var agent = AgentProcess.Start(null, "run", "--config", SitePath, "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0");
        Assert.Equal(1, agent.WaitForExit());
        Assert.Contains("netbootpi: not starting: the DHCP server cannot keep its leases in /proc/netbootpi-state: ", agent.Output);
        Assert.Contains("(server.state_dir must be a directory the agent can write)", agent.Output);
        Assert.False(agent.Output.Contains("   at ", StringComparison.Ordinal), agent.Output);
        // The servers that did start (HTTP, TFTP, DNS) stop first; the sentence that says why is the last line.
        Assert.StartsWith("netbootpi: not starting: the DHCP server", agent.Output.TrimEnd().Split('\n')[^1]);
    }

    [Fact]
    public async Task Ready_means_dhcp_listens_and_a_missing_interface_is_in_the_status_line()
    {
        using var lab = new NetLab();
        var srv = lab.Namespace("srv");
        var cli = lab.Namespace("cli");
        lab.Link(srv, "s0", "10.78.1.1/24", cli, "c0", null);
        var site = lab.Path("site.yaml");
        await File.WriteAllTextAsync(site, $$"""
            site: { name: lab }
            server: { state_dir: {{lab.Path("state")}} }
            networks:
              lan: { role: management, interface: s0, address: 10.78.1.1/24, dhcp: { mode: authoritative, range: 10.78.1.100-10.78.1.150 } }
              later: { interface: nope0, address: 10.79.1.1/24, dhcp: { mode: authoritative, range: 10.79.1.100-10.79.1.150 } }
            """, Ct);
        using var notify = new NotifySocket();
        using var agent = AgentProcess.Start(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path },
            [lab.Ip, "netns", "exec", srv], "run", "--config", site, "--no-tftp", "--http-listen", "127.0.0.1:0");
        var ready = await notify.ReceiveAsync(Ct);
        // Checked the moment READY arrives: the DHCP socket is already there.
        var sockets = await lab.RunAsync(srv, "ss", ["-uln"], Ct);
        Assert.Equal("READY=1\nSTATUS=serving site lab: 0 hosts; DHCP not yet on nope0 (missing, or not open: see the log)", ready);
        Assert.Contains(":67 ", sockets.Out);
    }
}
