using System.Text.Json;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Control;

/// <summary>
/// The control socket of a running agent (its own process), driven by the CLI: in this process as root, and as
/// the built <c>netbootpi</c> under other uids (setpriv) to see the kernel's credentials decide the role.
/// </summary>
public class ControlSocketTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-control-").FullName;
    private string SitePath => Path.Combine(_dir, "site.yaml");
    private string Socket => Path.Combine(_dir, "run", "control.sock");

    public ControlSocketTests()
    {
        // Other uids must reach the socket's folder (the socket's own mode decides who may connect).
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void WriteSite(string text)
    {
        File.WriteAllText(SitePath + ".tmp", text);
        File.Move(SitePath + ".tmp", SitePath, overwrite: true);
    }

    private AgentProcess StartAgent(string group = "nogroup")
    {
        var agent = AgentProcess.Start(new Dictionary<string, string> { [ControlSocketPath.EnvironmentVariable] = ControlSocketPath.None },
            "run", "--config", SitePath, "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0", "--no-dhcp",
            "--control-socket", Socket, "--control-group", group);
        agent.WaitFor(" ready: site ");
        return agent;
    }

    private static async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await CommandLine.RunAsync(args, o, e, TestContext.Current.CancellationToken);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>The built CLI as another user: setpriv sets the uid, gid and groups the kernel will report.</summary>
    private static Task<(int Code, string Out, string Err)> CliAs(uint uid, uint gid, params string[] args) =>
        Tool.RunAsync("setpriv", [$"--reuid={uid}", $"--regid={gid}", "--clear-groups", AgentProcess.Executable, .. args],
            TestContext.Current.CancellationToken);

    [Fact]
    public async Task Status_and_reload_over_the_socket_as_root()
    {
        Peers.RequireRoot();
        WriteSite(SiteText.Minimal);
        using var agent = StartAgent();
        agent.WaitFor($"control socket listening on {Socket} for root and group 'nogroup'");

        var (code, o, e) = await Cli("status", "--socket", Socket);
        Assert.Equal("", e);
        Assert.Equal(0, code);
        Assert.Matches(@"^netbootpi \d+\.\d+\.\d+, up \d+m \d+s \(since \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\)\n", o);
        Assert.Contains($"site:   t from {SitePath}: 1 networks, 2 hosts, 2 profiles\n", o);
        Assert.Contains("status: serving site t: 2 hosts\n", o);

        (code, o, _) = await Cli("status", "--json", "--socket", Socket);
        Assert.Equal(0, code);
        using (var json = JsonDocument.Parse(o))
        {
            Assert.Equal("t", json.RootElement.GetProperty("site").GetString());
            Assert.Equal(SitePath, json.RootElement.GetProperty("site_path").GetString());
            Assert.Equal(2, json.RootElement.GetProperty("hosts").GetInt32());
        }

        // A file with an error is refused with its location, and the running site stays.
        WriteSite(SiteText.Minimal.WithLine(15, "  a: { mac: 00:00:00:00:00:01, ip: 10.0.0.300 }"));
        (code, o, e) = await Cli("reload", "--socket", Socket);
        Assert.Equal(1, code);
        Assert.Equal("", o);
        var lines = e.Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith($"{SitePath}:15:36: hosts.a.ip: '10.0.0.300' is not an IPv4 address", lines[0]);
        Assert.Equal($"netbootpi: {SitePath} refused (1 error); the agent still runs site t", lines[1]);
        (code, o, _) = await Cli("reload", "--json", "--socket", Socket);
        Assert.Equal(1, code);
        using (var json = JsonDocument.Parse(o))
        {
            Assert.False(json.RootElement.GetProperty("reloaded").GetBoolean());
            var error = json.RootElement.GetProperty("errors")[0];
            Assert.Equal((15, 36, "hosts.a.ip"), (error.GetProperty("line").GetInt32(), error.GetProperty("column").GetInt32(), error.GetProperty("key").GetString()));
        }

        WriteSite(SiteText.Minimal + "\n  c: { mac: 00:00:00:00:00:03, ip: 10.0.0.12 }");
        (code, o, e) = await Cli("reload", "--socket", Socket);
        Assert.Equal("", e);
        Assert.Equal(0, code);
        Assert.Equal($"reloaded site t from {SitePath}: 1 networks, 3 hosts\n", o);
        (_, o, _) = await Cli("status", "--socket", Socket);
        Assert.Contains("status: serving site t: 3 hosts\n", o);

        // Every change is in the log with who asked for it.
        agent.WaitFor(l => l.Contains("control: uid 0 (pid ") && l.Contains(", admin) asks POST /api/v1/site/reload"), 0, "the audit line");
        agent.WaitFor("control: uid 0's POST /api/v1/site/reload ended with 200");
    }

    [Fact]
    public async Task The_socket_is_for_root_and_the_control_group_and_the_kernel_says_who_is_calling()
    {
        Peers.RequireRoot();
        WriteSite(SiteText.Minimal);
        using var agent = StartAgent(group: "nogroup");
        agent.WaitFor("control socket listening on");
        var (_, stat, _) = await Tool.RunAsync("stat", ["-c", "%a %U %G", Socket], TestContext.Current.CancellationToken);
        Assert.Equal("660 root nogroup\n", stat);

        // nobody in group nogroup: an operator, who may look but not reload.
        var (code, o, e) = await CliAs(65534, 65534, "status", "--socket", Socket);
        Assert.Equal((0, ""), (code, e));
        Assert.Contains("site:   t from", o);
        (code, _, e) = await CliAs(65534, 65534, "reload", "--socket", Socket);
        Assert.Equal(1, code);
        Assert.Matches(@"^netbootpi: the agent refused: POST /api/v1/site/reload needs the admin role; uid 65534 \(pid \d+\) has the operator role\n$", e);
        agent.WaitFor("control: uid 65534 (pid ");

        // In no group of the socket: the kernel refuses the connection itself.
        (code, _, e) = await CliAs(65534, 65533, "status", "--socket", Socket);
        Assert.Equal(1, code);
        Assert.Equal($"netbootpi: permission denied on {Socket}: run this as root, or as a member of the group the agent gives its socket (netbootpi)\n", e);
    }

    [Fact]
    public async Task Endpoints_answer_unknown_paths_and_methods_with_a_sentence()
    {
        Peers.RequireRoot();
        var curl = Peers.Require("curl", "curl");
        WriteSite(SiteText.Minimal);
        using var agent = StartAgent();
        agent.WaitFor("control socket listening on");
        var ct = TestContext.Current.CancellationToken;

        var (_, o, _) = await Tool.RunAsync(curl, ["-s", "-w", "\n%{http_code}", "--unix-socket", Socket, "http://box/api/v1/nothing"], ct);
        Assert.EndsWith("\n404", o);
        Assert.Contains("\"error\": \"no such endpoint: /api/v1/nothing\"", o);
        (_, o, _) = await Tool.RunAsync(curl, ["-s", "-i", "-X", "DELETE", "--unix-socket", Socket, "http://box/api/v1/status"], ct);
        Assert.StartsWith("HTTP/1.1 405", o);
        Assert.Contains("Allow: GET", o);
        Assert.Contains("/api/v1/status takes GET, not DELETE", o);
    }

    [Fact]
    public async Task Without_an_agent_the_cli_says_so_and_a_second_agent_does_not_take_the_socket()
    {
        Peers.RequireRoot();
        var (code, _, e) = await Cli("status", "--socket", Socket);
        Assert.Equal(1, code);
        Assert.Equal($"netbootpi: no agent is listening on {Socket} (is it running? systemctl status netbootpi; --socket PATH names another)\n", e);

        WriteSite(SiteText.Minimal);
        using (var first = StartAgent())
        {
            first.WaitFor("control socket listening on");
            using var second = AgentProcess.Start(new Dictionary<string, string> { [ControlSocketPath.EnvironmentVariable] = ControlSocketPath.None },
                "run", "--config", SitePath, "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0", "--no-dhcp",
                "--control-socket", Socket);
            Assert.Equal(1, second.WaitForExit());
            Assert.Contains($"netbootpi: not starting: another agent answers on the control socket {Socket}: stop it (systemctl stop netbootpi), or give this one --control-socket PATH",
                second.Output);
            Assert.Equal(0, (await Cli("status", "--socket", Socket)).Code);
            // Killed, the first agent leaves its socket file behind ...
            first.Signal("KILL");
            first.WaitForExit();
        }
        Assert.True(File.Exists(Socket));
        // ... which the next agent replaces; a clean stop removes it.
        using (var next = StartAgent())
        {
            next.WaitFor("control socket listening on");
            Assert.Equal(0, (await Cli("status", "--socket", Socket)).Code);
            next.Signal("TERM");
            Assert.Equal(0, next.WaitForExit());
        }
        Assert.False(File.Exists(Socket));
    }

    [Fact]
    public async Task Power_goes_through_the_agent_which_records_who_asked_and_says_what_is_wrong()
    {
        Peers.RequireRoot();
        var curl = Peers.Require("curl", "curl");
        var vm = Path.Combine(_dir, "vm.qmp");
        WriteSite(SiteText.Minimal.WithLine(15, $"  a: {{ mac: 00:00:00:00:00:01, ip: 10.0.0.10, power: {{ driver: qmp, socket: {vm} }} }}")
            + $"\nserver: {{ state_dir: {Path.Combine(_dir, "state")} }}\n");
        using var agent = StartAgent(group: "nogroup");
        agent.WaitFor("control socket listening on");
        var ct = TestContext.Current.CancellationToken;

        // No qemu on the socket: off, and on cannot start one. The agent's answer, not this process's (no --config given).
        var (code, o, e) = await Cli("power", "a", "status", "--socket", Socket);
        Assert.Equal((0, ""), (code, e));
        Assert.StartsWith($"a: off: no qemu listens on {vm}", o);
        (code, o, e) = await Cli("power", "a", "on", "--socket", Socket);
        Assert.Equal((1, ""), (code, o));
        Assert.StartsWith($"netbootpi: power on a: no qemu listens on {vm}", e);
        (code, o, _) = await Cli("power", "a", "on", "--json", "--socket", Socket);
        Assert.Equal(1, code);
        using (var json = JsonDocument.Parse(o))
        {
            Assert.Equal(("a", "on", false, "off"), (json.RootElement.GetProperty("host").GetString(), json.RootElement.GetProperty("action").GetString(),
                json.RootElement.GetProperty("succeeded").GetBoolean(), json.RootElement.GetProperty("state").GetString()));
        }
        // An operator (group nogroup) may act on power.
        (code, _, e) = await CliAs(65534, 65534, "power", "a", "off", "--force", "--socket", Socket);
        Assert.DoesNotContain("needs the", e, StringComparison.Ordinal);
        Assert.Equal(0, code);

        (code, _, e) = await Cli("power", "b", "on", "--socket", Socket);
        Assert.Equal(1, code);
        Assert.Equal($"netbootpi: the agent refused: host b ({SitePath}:16:3) has no power: wiring (add power: {{ driver: ... }}; docs/power.md)\n", e);
        (code, _, e) = await Cli("power", "aa", "on", "--socket", Socket);
        Assert.Equal($"netbootpi: the agent refused: no host named 'aa' in {SitePath}\n", e);
        (_, o, _) = await Tool.RunAsync(curl, ["-s", "-w", "\n%{http_code}", "-X", "POST", "--unix-socket", Socket, "http://box/api/v1/power?host=a&action=dance"], ct);
        Assert.EndsWith("\n400", o);
        Assert.Contains("action must be one of on, off, force-off, cycle or reset (not \\u0027dance\\u0027)", o);

        // Each action is the host's boot event, with who asked through the agent.
        var events = await WaitForPowerEventsAsync(3);
        Assert.Equal(["uid:0 on 1", "uid:0 on 1", "uid:65534 off --force 0"], events.Select(ev => $"{ev.Client} {ev.Path.Split(':')[0]} {ev.Status}"));

        (code, o, _) = await Cli("recovery", "--socket", Socket);
        Assert.Equal((0, "no host asks for recovery (recovery: on a profile or a host; docs/power.md)\n"), (code, o));
    }

    [Fact]
    public async Task Events_recent_and_live_and_the_counters_for_Prometheus()
    {
        Peers.RequireRoot();
        var curl = Peers.Require("curl", "curl");
        var vm = Path.Combine(_dir, "vm.qmp");
        WriteSite(SiteText.Minimal.WithLine(15, $"  a: {{ mac: 00:00:00:00:00:01, ip: 10.0.0.10, power: {{ driver: qmp, socket: {vm} }} }}")
            + $"\nserver: {{ state_dir: {Path.Combine(_dir, "state")} }}\n");
        using var agent = StartAgent();
        agent.WaitFor("control socket listening on");
        var ct = TestContext.Current.CancellationToken;

        // The live stream first, so that it sees the power action below as it happens.
        var streamPsi = new System.Diagnostics.ProcessStartInfo(curl, ["-sN", "--max-time", "20", "--unix-socket", Socket, "http://box/api/v1/events/stream?host=a"])
        {
            RedirectStandardOutput = true,
        };
        using var stream = System.Diagnostics.Process.Start(streamPsi)!;
        var first = await stream.StandardOutput.ReadLineAsync(ct);
        Assert.Equal(": netbootpi boot events", first);
        Assert.Equal(1, (await Cli("power", "a", "on", "--socket", Socket)).Item1);
        string? data = null;
        while (data is null && await stream.StandardOutput.ReadLineAsync(ct) is { } line)
            if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line["data: ".Length..];
        stream.Kill();
        using (var json = JsonDocument.Parse(data!))
        {
            Assert.Equal(("uid:0", "a", "power"), (json.RootElement.GetProperty("client").GetString(), json.RootElement.GetProperty("host").GetString(),
                json.RootElement.GetProperty("what").GetString()));
            Assert.StartsWith("on: no qemu listens on", json.RootElement.GetProperty("path").GetString(), StringComparison.Ordinal);
        }

        var (_, recent, _) = await Tool.RunAsync(curl, ["-s", "--unix-socket", Socket, "http://box/api/v1/events?host=a"], ct);
        using (var json = JsonDocument.Parse(recent))
            // The action's own event, then the control API's audit of who asked for it.
            Assert.Equal(["power", "audit"], json.RootElement.EnumerateArray().Select(e => e.GetProperty("what").GetString()));
        (_, recent, _) = await Tool.RunAsync(curl, ["-s", "--unix-socket", Socket, "http://box/api/v1/events?host=b"], ct);
        Assert.Equal("[]", recent);

        var (_, metrics, _) = await Tool.RunAsync(curl, ["-s", "-i", "--unix-socket", Socket, "http://box/metrics"], ct);
        Assert.Contains("Content-Type: text/plain; version=0.0.4; charset=utf-8", metrics, StringComparison.Ordinal);
        var body = metrics[(metrics.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.Contains("netbootpi_site_hosts 2\n", body, StringComparison.Ordinal);
        Assert.Contains("netbootpi_events_dropped_total 0\n", body, StringComparison.Ordinal);
        Assert.Contains("netbootpi_recovery_hosts{phase=\"up\"} 0\n", body, StringComparison.Ordinal);
        // The exposition format: every sample after its HELP and TYPE, a name, optional labels, a number.
        var declared = new HashSet<string>();
        foreach (var l in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (l.StartsWith("# TYPE ", StringComparison.Ordinal)) declared.Add(l.Split(' ')[2]);
            if (l.StartsWith('#')) continue;
            Assert.Matches(@"^[a-z_]+(\{[a-z_]+=""[^""]*""(,[a-z_]+=""[^""]*"")*\})? -?[0-9.]+(e[+-]?[0-9]+)?$", l);
            Assert.Contains(l.Split('{', ' ')[0], declared);
        }
    }

    private async Task<List<BootEvent>> WaitForPowerEventsAsync(int count)
    {
        // The event log's writer lags the request by at most its batch pause.
        for (var i = 0; ; i++)
        {
            var events = BootEventLog.ReadFiles(Path.Combine(_dir, "state")).Where(ev => ev.Kind == BootEventKind.Power).ToList();
            if (events.Count >= count || i == 100) return events;
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
