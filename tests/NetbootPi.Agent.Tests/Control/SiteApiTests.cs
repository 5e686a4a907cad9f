using System.Security.Cryptography;
using System.Text.Json;
using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Agent.Tests.Support;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Tests.Control;

/// <summary>
/// The site, the hosts, the leases and the events through a running agent (its own process), driven by the CLI over
/// the control socket as root: what a user over SSH does, and what the audit keeps of it.
/// </summary>
public class SiteApiTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-siteapi-").FullName;
    private string SitePath => Path.Combine(_dir, "site.yaml");
    private string Socket => Path.Combine(_dir, "run", "control.sock");
    private string State => Path.Combine(_dir, "state");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string SiteText_(string hosts = "") =>
        SiteText.Minimal + hosts + $"\nserver: {{ state_dir: {State} }}\n";

    private AgentProcess StartAgent()
    {
        var agent = AgentProcess.Start(new Dictionary<string, string> { [ControlSocketPath.EnvironmentVariable] = ControlSocketPath.None },
            "run", "--config", SitePath, "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0", "--no-dhcp",
            "--control-socket", Socket, "--control-group", "nogroup");
        agent.WaitFor("control socket listening on");
        return agent;
    }

    private async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await CommandLine.RunAsync([.. args, "--socket", Socket], o, e, TestContext.Current.CancellationToken);
        return (code, o.ToString(), e.ToString());
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public async Task A_new_site_is_checked_before_it_is_written_kept_for_rollback_and_audited()
    {
        Peers.RequireRoot();
        var curl = Peers.Require("curl", "curl");
        var original = SiteText_();
        File.WriteAllText(SitePath, original);
        using var agent = StartAgent();

        var (code, o, e) = await Cli("site", "get");
        Assert.Equal((0, original, ""), (code, o, e));
        (_, o, _) = await Cli("site", "get", "--json");
        var digest = Sha256(SitePath);
        using (var json = JsonDocument.Parse(o))
        {
            Assert.Equal(digest, json.RootElement.GetProperty("sha256").GetString());
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("previous").ValueKind);
        }

        // Errors are located in the agent's site file, whose text the new one would become.
        var bad = Write("bad.yaml", original.WithLine(15, "  a: { mac: 00:00:00:00:00:01, ip: 10.0.0.300 }"));
        (code, o, e) = await Cli("site", "validate", bad);
        Assert.Equal(1, code);
        Assert.StartsWith($"{SitePath}:15:36: hosts.a.ip: '10.0.0.300' is not an IPv4 address", e, StringComparison.Ordinal);
        var good = Write("good.yaml", SiteText_("\n  c: { mac: 00:00:00:00:00:03, ip: 10.0.0.12 }"));
        (code, o, e) = await Cli("site", "validate", good);
        Assert.Equal((0, "valid: site t, 1 networks, 3 hosts\n", ""), (code, o, e));

        // A file with errors, one that changes what takes a restart, or an edit of a file someone changed since: nothing written.
        (code, _, e) = await Cli("site", "apply", bad);
        Assert.Equal(1, code);
        Assert.Contains("nothing was written and the agent still runs site t", e, StringComparison.Ordinal);
        var moved = Write("moved.yaml", original.Replace($"state_dir: {State}", $"state_dir: {State}2", StringComparison.Ordinal));
        (code, _, e) = await Cli("site", "apply", moved);
        Assert.Equal(1, code);
        Assert.Contains($"server.state_dir: changed from {State} to {State}2, which takes a restart", e, StringComparison.Ordinal);
        (code, _, e) = await Cli("site", "apply", good, "--if-sha256", new string('0', 64));
        Assert.Equal(1, code);
        Assert.Contains($"{SitePath} changed since it was read (its SHA-256 is {digest}", e, StringComparison.Ordinal);
        Assert.Equal(original, File.ReadAllText(SitePath));
        Assert.False(File.Exists(SitePath + ".previous"));
        (_, o, _) = await Cli("status");
        Assert.Contains("status: serving site t: 2 hosts\n", o, StringComparison.Ordinal);

        (code, o, e) = await Cli("site", "apply", good, "--if-sha256", digest);
        Assert.Equal("", e);
        Assert.Equal(0, code);
        Assert.Equal($"{SitePath} replaced and running; the file before is {SitePath}.previous: site t, 1 networks, 3 hosts\n", o);
        Assert.Equal(File.ReadAllText(good), File.ReadAllText(SitePath));
        Assert.Equal(original, File.ReadAllText(SitePath + ".previous"));
        (_, o, _) = await Cli("status");
        Assert.Contains("status: serving site t: 3 hosts\n", o, StringComparison.Ordinal);

        (code, o, _) = await Cli("site", "rollback");
        Assert.Equal(0, code);
        Assert.Contains("site t, 1 networks, 2 hosts", o, StringComparison.Ordinal);
        Assert.Equal(original, File.ReadAllText(SitePath));
        Assert.Equal(File.ReadAllText(good), File.ReadAllText(SitePath + ".previous"));

        // Bodies: too big, or not UTF-8, are refused with a sentence; never a 500.
        var big = Write("big.yaml", new string('#', SiteEndpoints.MaxBodyBytes + 1));
        var ct = TestContext.Current.CancellationToken;
        var (_, reply, _) = await Tool.RunAsync(curl, ["-s", "-w", " %{http_code}", "-X", "PUT", "--data-binary", "@" + big, "--unix-socket", Socket, "http://box/api/v1/site"], ct);
        Assert.EndsWith("the most this endpoint reads is 1,048,576\"\n} 400", reply, StringComparison.Ordinal);
        var latin1 = Path.Combine(_dir, "latin1.yaml");
        File.WriteAllBytes(latin1, [.. System.Text.Encoding.UTF8.GetBytes("site: { name: caf"), 0xE9, .. "\"}\n"u8]);
        (code, _, e) = await Cli("site", "apply", latin1);
        Assert.Equal(1, code);
        Assert.StartsWith($"{SitePath}:1:18: (file): byte 0xE9 is not UTF-8 text", e, StringComparison.Ordinal);
        Assert.Equal(original, File.ReadAllText(SitePath));

        // Every change asked for is an audit event: who, what, how it ended; validate changes nothing and is not one.
        var (_, audit, _) = await Tool.RunAsync(curl, ["-s", "--unix-socket", Socket, "http://box/api/v1/events?kind=audit"], ct);
        using (var json = JsonDocument.Parse(audit))
        {
            var seen = json.RootElement.EnumerateArray().Select(a => (a.GetProperty("client").GetString(), a.GetProperty("path").GetString()!.Split(" (")[0],
                a.GetProperty("status").GetInt32())).ToArray();
            Assert.Equal([("uid:0", "PUT /api/v1/site", 422), ("uid:0", "PUT /api/v1/site", 422), ("uid:0", "PUT /api/v1/site", 412),
                ("uid:0", "PUT /api/v1/site", 200), ("uid:0", "POST /api/v1/site/rollback", 200), ("uid:0", "PUT /api/v1/site", 400),
                ("uid:0", "PUT /api/v1/site", 422)], seen);
            Assert.StartsWith("PUT /api/v1/site (pid ", json.RootElement[0].GetProperty("path").GetString(), StringComparison.Ordinal);
        }
        (_, audit, _) = await Tool.RunAsync(curl, ["-s", "-w", " %{http_code}", "--unix-socket", Socket, "http://box/api/v1/events?kind=audits"], ct);
        Assert.EndsWith(" 400", audit, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(audit[..^4]))
            Assert.StartsWith("kind 'audits' is not a kind of event; the kinds: script, ", json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_diff_says_what_an_apply_would_change_and_changes_nothing()
    {
        Peers.RequireRoot();
        var curl = Peers.Require("curl", "curl");
        var original = SiteText_();
        File.WriteAllText(SitePath, original);
        using var agent = StartAgent();
        var ct = TestContext.Current.CancellationToken;
        var digest = Sha256(SitePath);
        async Task<(int Status, JsonElement Json)> Diff(string file, string query = "")
        {
            var (_, o, _) = await Tool.RunAsync(curl, ["-s", "-w", "\n%{http_code}", "-X", "POST", "-H", "Content-Type: application/yaml", "--data-binary", "@" + file,
                "--unix-socket", Socket, "http://box/api/v1/site/diff" + query], ct);
            var split = o.TrimEnd().LastIndexOf('\n');
            return (int.Parse(o.TrimEnd()[(split + 1)..], System.Globalization.CultureInfo.InvariantCulture), JsonDocument.Parse(o[..split]).RootElement.Clone());
        }
        (_, var get, _) = await Tool.RunAsync(curl, ["-s", "--unix-socket", Socket, "http://box/api/v1/site"], ct);
        var loaded = JsonDocument.Parse(get).RootElement.GetProperty("loaded").GetDateTimeOffset();
        Assert.InRange(loaded, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);

        // A host added: the file's diff, the host among the changes; the agent runs no network of its own here.
        var good = Write("good.yaml", SiteText_("\n  c: { mac: 00:00:00:00:00:03, ip: 10.0.0.12 }"));
        var (status, json) = await Diff(good, "?sha256=" + digest);
        Assert.Equal(200, status);
        Assert.True(json.GetProperty("valid").GetBoolean());
        Assert.Equal((SitePath, digest), (json.GetProperty("site_path").GetString(), json.GetProperty("sha256").GetString()));
        Assert.Contains("\n+  c: { mac: 00:00:00:00:00:03, ip: 10.0.0.12 }\n", json.GetProperty("diff").GetString(), StringComparison.Ordinal);
        Assert.StartsWith($"--- {SitePath}\n+++ {SitePath}\n@@ ", json.GetProperty("diff").GetString(), StringComparison.Ordinal);
        var change = Assert.Single(json.GetProperty("changes").EnumerateArray());
        Assert.Equal(("host", "c", "added"), (change.GetProperty("kind").GetString(), change.GetProperty("name").GetString(), change.GetProperty("change").GetString()));
        Assert.Contains("ip: 10.0.0.12 (static lease)", change.GetProperty("details").EnumerateArray().Select(d => d.GetString()));
        Assert.False(json.GetProperty("network_change").GetBoolean());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("network_plan").ValueKind);

        // The same text as the file: no diff, no change.
        (status, json) = await Diff(SitePath);
        Assert.Equal((200, "", 0), (status, json.GetProperty("diff").GetString(), json.GetProperty("changes").GetArrayLength()));

        // Errors located as validate locates them; an edit of a file that changed since is refused as PUT refuses it.
        var bad = Write("bad.yaml", original.WithLine(15, "  a: { mac: 00:00:00:00:00:01, ip: 10.0.0.300 }"));
        (status, json) = await Diff(bad);
        Assert.Equal(422, status);
        Assert.False(json.GetProperty("valid").GetBoolean());
        Assert.StartsWith($"{SitePath}:15:36: hosts.a.ip: ", json.GetProperty("errors")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        (status, json) = await Diff(good, "?sha256=" + new string('0', 64));
        Assert.Equal(412, status);
        Assert.Equal($"{SitePath} changed since it was read (its SHA-256 is {digest}, not {new string('0', 64)}): get it again and redo the edit",
            json.GetProperty("error").GetString());
        (status, _) = await Diff(good, "?sha256=nothex");
        Assert.Equal(400, status);

        // Nothing was written, and a diff is no change for the audit.
        Assert.Equal(original, File.ReadAllText(SitePath));
        Assert.False(File.Exists(SitePath + ".previous"));
        var (_, audit, _) = await Tool.RunAsync(curl, ["-s", "--unix-socket", Socket, "http://box/api/v1/events?kind=audit"], ct);
        Assert.Equal(0, JsonDocument.Parse(audit).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Hosts_leases_and_followed_events_come_from_the_running_agent()
    {
        Peers.RequireRoot();
        var vm = Path.Combine(_dir, "vm.qmp");
        File.WriteAllText(SitePath, SiteText.Minimal.WithLine(15, $"  a: {{ mac: 00:00:00:00:00:01, ip: 10.0.0.10, power: {{ driver: qmp, socket: {vm} }} }}")
            + $"\nserver: {{ state_dir: {State} }}\n");
        var end = DateTimeOffset.UtcNow.AddHours(1);
        using (var store = LeaseStore.Open(State))
        {
            store.Append(new DhcpLease(Ipv4Address.Parse("10.0.0.10"), MacAddress.Parse("00:00:00:00:00:01"), DhcpLeaseState.Bound, end, "a"));
            var last = store.Append(new DhcpLease(Ipv4Address.Parse("10.0.0.150"), MacAddress.Parse("02:00:00:00:00:07"), DhcpLeaseState.Bound, end, "laptop"));
            await store.WhenDurableAsync(last, TestContext.Current.CancellationToken);
        }
        var overlays = new NetbootPi.Agent.Overlays.OverlayStore(State, NetbootPi.Agent.Os.Files.AtomicFiles.Local);
        foreach (var name in new[] { "one", "two" })
            Assert.NotNull((await overlays.StoreAsync(MacAddress.Parse("00:00:00:00:00:01"), new MemoryStream(Http.AgentHttpFixture.Overlay(name)),
                TestContext.Current.CancellationToken)).Stored);
        using var agent = StartAgent();

        var (code, o, e) = await Cli("leases");
        Assert.True(code == 0, e);
        Assert.Matches(@"10\.0\.0\.10\s+00:00:00:00:00:01\s+a\s+bound\s+\S+ \S+\s+a\n", o);
        Assert.Matches(@"10\.0\.0\.150\s+02:00:00:00:00:07\s+-\s+bound\s+\S+ \S+\s+laptop\n", o);
        (_, o, _) = await Cli("leases", "--json");
        using (var json = JsonDocument.Parse(o))
            Assert.Equal(["10.0.0.10", "10.0.0.150"], json.RootElement.EnumerateArray().Select(l => l.GetProperty("address").GetString()));

        (code, o, e) = await Cli("hosts");
        Assert.True(code == 0, e);
        Assert.Matches(@"\na\s+00:00:00:00:00:01\s+10\.0\.0\.10\s+p\s+bound\s+-\s+-\n", o);
        Assert.Matches(@"\nb\s+00:00:00:00:00:02\s+10\.0\.0\.11\s+k\s+-\s+-\s+-\n", o);
        // Overlays: listed, rolled back by an operator's act (audited with the host), never below the first version.
        var curl = Peers.Require("curl", "curl");
        var ct = TestContext.Current.CancellationToken;
        var (_, list, _) = await Tool.RunAsync(curl, ["-s", "--unix-socket", Socket, "http://box/api/v1/overlays?host=a"], ct);
        using (var json = JsonDocument.Parse(list))
            Assert.Equal([1, 2], json.RootElement.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("number").GetInt32()));
        (_, list, _) = await Tool.RunAsync(curl, ["-s", "-X", "POST", "--unix-socket", Socket, "http://box/api/v1/overlays/rollback?host=00:00:00:00:00:01"], ct);
        using (var json = JsonDocument.Parse(list))
        {
            Assert.Equal(("a", "version 1 is served again"), (json.RootElement.GetProperty("host").GetString(), json.RootElement.GetProperty("message").GetString()));
            Assert.Equal([1], json.RootElement.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("number").GetInt32()));
        }
        (_, list, _) = await Tool.RunAsync(curl, ["-s", "-w", " %{http_code}", "-X", "POST", "--unix-socket", Socket, "http://box/api/v1/overlays/rollback?host=a"], ct);
        Assert.EndsWith(" 409", list, StringComparison.Ordinal);
        Assert.Contains("a has only version 1: there is no earlier one to serve", list, StringComparison.Ordinal);
        (_, list, _) = await Tool.RunAsync(curl, ["-s", "-w", " %{http_code}", "--unix-socket", Socket, "http://box/api/v1/overlays?host=zz"], ct);
        Assert.EndsWith(" 404", list, StringComparison.Ordinal);

        (code, o, e) = await Cli("hosts", "bb");
        Assert.Equal((1, ""), (code, o));
        Assert.Contains("netbootpi: the agent refused: the site has no host named 'bb'", e, StringComparison.Ordinal);

        // Follow power events while a power action happens; the follow prints it once (it is in the recent events and
        // the stream both, when the stream opened first), as netbootpi events does.
        var written = new StringWriter();
        // Synchronized methods lock the wrapper itself: reading under the same lock sees whole lines.
        var output = TextWriter.Synchronized(written);
        string Followed()
        {
            lock (output) return written.ToString();
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var follow = CommandLine.RunAsync(["events", "--follow", "--kind", "power", "a", "--socket", Socket], output, TextWriter.Null, stop.Token);
        Assert.Equal(1, (await Cli("power", "a", "on")).Code);
        for (var i = 0; i < 100 && !Followed().Contains(" power 1 0 on: no qemu listens on", StringComparison.Ordinal); i++)
            await Task.Delay(50, TestContext.Current.CancellationToken);
        stop.Cancel();
        Assert.Equal(0, await follow);
        var lines = Followed().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z uid:0 a power 1 0 on: no qemu listens on", lines[0]);

        (_, o, _) = await Cli("hosts", "a", "--json");
        using (var json = JsonDocument.Parse(o))
        {
            var a = json.RootElement.EnumerateArray().Single();
            Assert.Equal(("a.t.internal", "qmp", "bound"), (a.GetProperty("fqdn").GetString(), a.GetProperty("power").GetString(),
                a.GetProperty("lease").GetProperty("state").GetString()));
            Assert.StartsWith("on: no qemu listens on", a.GetProperty("last_power").GetProperty("path").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_console_host_whose_gadget_cannot_be_built_leaves_the_box_serving_and_says_why()
    {
        Peers.RequireRoot();
        // No UDC of that name exists anywhere: the gadget cannot be built on any machine.
        File.WriteAllText(SitePath, SiteText_() + "kvm: { host: a, udc: nosuch.usb }\n");
        using var agent = StartAgent();
        agent.WaitFor(" ready: site ");
        agent.WaitFor("kvm: the USB gadget for the console host a (");

        var (code, o, e) = await Cli("kvm");
        Assert.Equal((1, ""), (code, o));
        Assert.Contains("netbootpi: the agent refused: the USB gadget for the console host a (", e, StringComparison.Ordinal);
        Assert.Contains("cannot be built: ", e, StringComparison.Ordinal);
        Assert.Contains("; fix it and restart the agent (systemctl restart netbootpi)", e, StringComparison.Ordinal);
        (code, o, _) = await Cli("status");
        Assert.Equal(0, code);
        Assert.Contains("the USB gadget for the console host a (", o, StringComparison.Ordinal);
        // Everything else serves: the hosts, the site.
        Assert.Equal(0, (await Cli("hosts")).Code);
    }
}
