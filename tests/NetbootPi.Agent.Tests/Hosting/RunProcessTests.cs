using NetbootPi.Agent.Tests.Site;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Hosting;

/// <summary><c>netbootpi run</c> as systemd runs it: readiness, SIGHUP reloads, SIGTERM.</summary>
public class RunProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-run-").FullName;
    private string SitePath => Path.Combine(_dir, "site.yaml");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Replaces the file the way editors and config tools do: write beside it, then rename over it.
    private void WriteSite(string text)
    {
        var tmp = SitePath + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, SitePath, overwrite: true);
    }

    [Fact]
    public async Task Notifies_ready_reloads_on_sighup_keeps_the_old_site_on_errors_and_stops_on_sigterm()
    {
        var ct = TestContext.Current.CancellationToken;
        WriteSite(SiteText.Minimal);
        using var notify = new NotifySocket();
        using var agent = AgentProcess.Start(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path },
            "run", "--config", SitePath, "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0", "--no-dhcp");

        Assert.StartsWith("READY=1\nSTATUS=serving site t: 2 hosts", await notify.ReceiveAsync(ct));
        agent.WaitFor($"ready: site t from {SitePath}, 1 networks, 2 hosts");

        // A valid change is picked up.
        WriteSite(SiteText.Minimal + "\n  c: { mac: 00:00:00:00:00:03, ip: 10.0.0.12 }");
        agent.Signal("HUP");
        Assert.StartsWith("RELOADING=1\nMONOTONIC_USEC=", await notify.ReceiveAsync(ct));
        Assert.StartsWith("READY=1\nSTATUS=serving site t: 3 hosts", await notify.ReceiveAsync(ct));
        agent.WaitFor($"site reloaded from {SitePath}: 1 networks, 3 hosts, 2 profiles");

        // An invalid change is reported with its position, and the running site stays.
        WriteSite(SiteText.Minimal.WithLine(15, "  a: { mac: 00:00:00:00:00:01, ip: 10.0.0.300 }"));
        agent.Signal("HUP");
        Assert.StartsWith("RELOADING=1", await notify.ReceiveAsync(ct));
        Assert.StartsWith("READY=1\nSTATUS=serving site t: 3 hosts", await notify.ReceiveAsync(ct));
        agent.WaitFor($"{SitePath}:15:36: hosts.a.ip: '10.0.0.300' is not an IPv4 address");
        agent.WaitFor($"reload of {SitePath} rejected (1 errors); the running site is unchanged");

        agent.Signal("TERM");
        Assert.Equal("STOPPING=1", await notify.ReceiveAsync(ct));
        Assert.Equal(0, agent.WaitForExit());
    }

    [Fact]
    public void A_port_that_is_taken_ends_the_agent_with_a_message_and_exit_code_1()
    {
        WriteSite(SiteText.Minimal);
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        using var agent = AgentProcess.Start(null,
            "run", "--config", SitePath, "--listen", "127.0.0.1", "--no-tftp", "--http-listen", $"127.0.0.1:{port}", "--no-dhcp");

        Assert.Equal(1, agent.WaitForExit());
        Assert.Contains($"netbootpi: not starting: the HTTP server cannot listen on 127.0.0.1:{port}: the port is in use (is another HTTP server running on this machine?)", agent.Output);
        Assert.DoesNotContain("Unhandled exception", agent.Output);
    }
}
