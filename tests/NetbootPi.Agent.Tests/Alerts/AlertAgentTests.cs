using System.Text.Json;
using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Alerts;

/// <summary>
/// Alerts from the agent as its own process to a real HTTP receiver on 127.0.0.1 started here: a reload of a broken
/// site file is a signed <c>site-rejected</c> alert, retried after the receiver's 500; <c>netbootpi alerts test</c>
/// over the control socket; the events, the counters, and a log that never holds the secret.
/// </summary>
public sealed class AlertAgentTests : IDisposable
{
    private const string SecretText = "agent-test-secret-5f1c0e9a7b";

    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-alert-agent-").FullName;
    private string SitePath => Path.Combine(_dir, "site.yaml");
    private string Socket => Path.Combine(_dir, "control.sock");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void WriteSite(string text)
    {
        File.WriteAllText(SitePath + ".tmp", text);
        File.Move(SitePath + ".tmp", SitePath, overwrite: true);
    }

    private static async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await CommandLine.RunAsync(args, o, e, TestContext.Current.CancellationToken);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public async Task A_refused_reload_is_a_signed_alert_retried_after_a_500_and_alerts_test_reaches_every_webhook()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = new WebhookReceiver();
        File.WriteAllText(Path.Combine(_dir, "hook.secret"), SecretText + "\n");
        File.SetUnixFileMode(Path.Combine(_dir, "hook.secret"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var site = SiteText.Minimal + $"\nserver: {{ state_dir: {Path.Combine(_dir, "state")} }}"
            + $"\nalerts:\n  webhooks:\n    - {{ url: '{receiver.Url("/hooks/T0K3N")}', secret_file: hook.secret }}\n";
        WriteSite(site);
        using var agent = AgentProcess.Start(new Dictionary<string, string> { [ControlSocketPath.EnvironmentVariable] = ControlSocketPath.None },
            "run", "--config", SitePath, "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0", "--no-dhcp",
            "--control-socket", Socket);
        agent.WaitFor(" ready: site ");

        // The receiver fails the first request: the alert comes again, after 10 s.
        receiver.Answer(500);
        WriteSite(site.Replace("ip: 10.0.0.11", "ip: 10.0.0.300", StringComparison.Ordinal));
        var (code, _, err) = await Cli("reload", "--socket", Socket);
        Assert.Equal(1, code);
        Assert.Contains("10.0.0.300", err, StringComparison.Ordinal);

        var first = await receiver.NextAsync(ct);
        Assert.Equal(("POST", "/hooks/T0K3N", 500), (first.Method, first.Path, first.Status));
        Assert.True(first.SignedWith(SecretText), "the signature of the first attempt");
        string id;
        using (var body = JsonDocument.Parse(first.Body))
        {
            var r = body.RootElement;
            id = r.GetProperty("id").GetString()!;
            Assert.Equal("site-rejected", r.GetProperty("kind").GetString());
            Assert.Equal("t", r.GetProperty("site").GetString());
            Assert.StartsWith($"reload of {SitePath} refused (1 error; the first: {SitePath}:", r.GetProperty("message").GetString(), StringComparison.Ordinal);
            var detail = Assert.Single(r.GetProperty("details").EnumerateArray()).GetString()!;
            Assert.Contains("hosts.b.ip: '10.0.0.300' is not an IPv4 address", detail, StringComparison.Ordinal);
        }
        Assert.Equal(id, first.Headers["X-NetbootPi-Id"]);

        // While the alert waits for its retry: the test alert, once, to every webhook.
        (code, var o, err) = await Cli("alerts", "test", "--socket", Socket);
        Assert.Equal("", err);
        Assert.Equal(0, code);
        Assert.Matches($@"^webhooks\[0\] http://127\.0\.0\.1:{receiver.Port}: delivered \(answered 200\)\ntest alert [0-9a-f]{{32}}: 1 of 1 webhooks took it\n$", o);
        var test = await receiver.NextAsync(ct);
        Assert.True(test.SignedWith(SecretText));
        using (var body = JsonDocument.Parse(test.Body))
        {
            Assert.Equal("test", body.RootElement.GetProperty("kind").GetString());
            Assert.Equal("a test alert, asked for by uid:0", body.RootElement.GetProperty("message").GetString());
        }

        var retry = await receiver.NextAsync(ct);
        Assert.Equal(200, retry.Status);
        Assert.Equal(id, retry.Headers["X-NetbootPi-Id"]);
        Assert.Equal(first.Body, retry.Body);
        Assert.True(retry.SignedWith(SecretText), "the signature of the retry");
        Assert.True(long.Parse(retry.Headers["X-NetbootPi-Timestamp"], System.Globalization.CultureInfo.InvariantCulture)
            - long.Parse(first.Headers["X-NetbootPi-Timestamp"], System.Globalization.CultureInfo.InvariantCulture) >= 10);
        agent.WaitFor($"alert site-rejected {id} to webhooks[0] (http://127.0.0.1:{receiver.Port}): attempt 1 failed (answered 500 Test); the next in 10 s");
        agent.WaitFor($"alert site-rejected {id} delivered to webhooks[0] (http://127.0.0.1:{receiver.Port}) at attempt 2 (answered 200)");

        // The event stream's source has both alerts; the counters count them.
        var events = Curl.Run("--unix-socket", Socket, "http://netbootpi/api/v1/events");
        Assert.Equal(200, events.Status);
        using (var list = JsonDocument.Parse(events.Text))
        {
            var alerts = list.RootElement.EnumerateArray().Where(e => e.GetProperty("what").GetString() == "alert")
                .Select(e => (e.GetProperty("client").GetString(), e.GetProperty("status").GetInt32(), e.GetProperty("path").GetString()!.Split(':')[0])).ToList();
            Assert.Equal([("alerts", 1, "site-rejected"), ("alerts", 0, "test")], alerts);
        }
        var metrics = Curl.Run("--unix-socket", Socket, "http://netbootpi/metrics").Text;
        Assert.Contains("netbootpi_alerts_total{kind=\"site-rejected\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("netbootpi_alerts_total{kind=\"test\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("netbootpi_webhook_deliveries_total{result=\"delivered\"} 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("netbootpi_webhook_deliveries_total{result=\"failed\"} 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains("netbootpi_webhook_attempts_failed_total 1\n", metrics, StringComparison.Ordinal);

        // Neither the secret nor the webhook's path (a token, for some services) is in the log.
        Assert.DoesNotContain(SecretText, agent.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("T0K3N", agent.Output, StringComparison.Ordinal);
    }
}
