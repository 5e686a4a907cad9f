using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NetbootPi.Agent.Alerts;
using NetbootPi.Agent.Dhcp;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Power;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Agent.Tests.Support;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Tests.Alerts;

/// <summary>
/// The alert service in this process on a fake clock, delivering to a real HTTP receiver on 127.0.0.1: signed bodies,
/// retries with back-off (the clock advanced when a retry is scheduled, never slept for), the bounded number of
/// attempts, the bounded queue, which webhook wants what, and a certificate the box does not trust.
/// </summary>
public sealed class AlertServiceTests : IAsyncDisposable
{
    private const string SecretText = "test-secret-0123456789abcdef";

    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-alerts-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 4, 0, 0, TimeSpan.Zero));
    private readonly WebhookReceiver _receiver = new();
    private readonly Channel<WebhookRetry> _retries = Channel.CreateUnbounded<WebhookRetry>();
    private readonly Channel<(int Hook, string Id, WebhookOutcome Outcome)> _ended = Channel.CreateUnbounded<(int, string, WebhookOutcome)>();
    private BootEventLog? _events;
    private AlertService? _alerts;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        if (_alerts is not null)
        {
            await _alerts.StopAsync(CancellationToken.None);
            _alerts.Dispose();
        }
        _events?.Dispose();
        await _receiver.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>The service over a site whose webhooks are <paramref name="webhooks"/> (YAML list items); started unless told not to.</summary>
    private async Task<AlertService> StartAsync(string webhooks, bool start = true)
    {
        var secret = Path.Combine(_dir, "hook.secret");
        File.WriteAllText(secret, SecretText + "\n");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var sitePath = Path.Combine(_dir, "site.yaml");
        var result = SiteFile.Parse(sitePath, SiteText.Minimal + (webhooks.Length == 0 ? "" : $"\nalerts:\n  webhooks:{webhooks}\n"));
        Assert.Empty(result.Errors);
        _events = new BootEventLog(_dir, NullLogger<BootEventLog>.Instance);
        _alerts = new AlertService(new SiteState(sitePath, result.Inventory!), _events, _time, NullLogger<AlertService>.Instance, "1.2.3");
        _alerts.RetryScheduled += r => _retries.Writer.TryWrite(r);
        _alerts.DeliveryEnded += (hook, id, outcome) => _ended.Writer.TryWrite((hook, id, outcome));
        if (start) await _alerts.StartAsync(Ct);
        return _alerts;
    }

    private string Hook(string path = "/hook", string extra = "") => $"\n    - {{ url: '{_receiver.Url(path)}', secret_file: hook.secret{extra} }}";

    [Fact]
    public async Task A_500_is_retried_after_the_back_off_with_the_same_id_signed_anew()
    {
        var alerts = await StartAsync(Hook());
        _receiver.Answer(500);
        Assert.True(alerts.Raise(AlertKind.SiteRejected, null, "reload of site.yaml refused", ["site.yaml:3:1: x: y"]));

        var first = await _receiver.NextAsync(Ct);
        Assert.Equal(("POST", "/hook", 500), (first.Method, first.Path, first.Status));
        Assert.True(first.SignedWith(SecretText), "the first attempt's signature");
        Assert.Equal("1796616000", first.Headers["X-NetbootPi-Timestamp"]);
        Assert.Equal("application/json; charset=utf-8", first.Headers["Content-Type"]);
        Assert.StartsWith("netbootpi/1.2.3", first.Headers["User-Agent"], StringComparison.Ordinal);
        using (var body = JsonDocument.Parse(first.Body))
        {
            var r = body.RootElement;
            Assert.Equal(first.Headers["X-NetbootPi-Id"], r.GetProperty("id").GetString());
            Assert.Matches("^[0-9a-f]{32}$", r.GetProperty("id").GetString());
            Assert.Equal("site-rejected", r.GetProperty("kind").GetString());
            Assert.Equal(Environment.MachineName, r.GetProperty("box").GetString());
            Assert.Equal("t", r.GetProperty("site").GetString());
            Assert.Equal(_time.GetUtcNow(), r.GetProperty("time").GetDateTimeOffset());
            Assert.Equal(JsonValueKind.Null, r.GetProperty("host").ValueKind);
            Assert.Equal("reload of site.yaml refused", r.GetProperty("message").GetString());
            Assert.Equal(["site.yaml:3:1: x: y"], r.GetProperty("details").EnumerateArray().Select(e => e.GetString()));
        }

        var retry = await _retries.Reader.ReadAsync(Ct);
        Assert.Equal((0, 1, TimeSpan.FromSeconds(10), 500), (retry.Webhook, retry.Attempt, retry.Delay, retry.Outcome.Status));
        _time.Advance(TimeSpan.FromSeconds(10));

        var second = await _receiver.NextAsync(Ct);
        Assert.Equal(200, second.Status);
        Assert.Equal(first.Headers["X-NetbootPi-Id"], second.Headers["X-NetbootPi-Id"]);
        Assert.Equal(first.Body, second.Body);
        Assert.Equal("1796616010", second.Headers["X-NetbootPi-Timestamp"]);
        Assert.True(second.SignedWith(SecretText), "the retry's signature, over its own timestamp");
        Assert.False(second.SignedWith("another-secret-0123456789"));
        var ended = await _ended.Reader.ReadAsync(Ct);
        Assert.True(ended.Outcome.Delivered);
        Assert.Equal((1L, 0L, 1L), (alerts.Delivered, alerts.Failed, alerts.AttemptsFailed));

        var e = Assert.Single(_events!.Recent(), e => e.Kind == BootEventKind.Alert);
        Assert.Equal(("alerts", null, "site-rejected: reload of site.yaml refused", 1), (e.Client, e.Host, e.Path, e.Status));
    }

    [Fact]
    public async Task A_receiver_that_never_takes_it_gets_six_attempts_backing_off_to_160_s_then_none()
    {
        var alerts = await StartAsync(Hook());
        _receiver.Answer(500, 503, 500, 500, 500, 500, 200);
        alerts.Raise(AlertKind.HostFailed, "a", "marked failed");
        var delays = new List<TimeSpan>();
        for (var attempt = 1; attempt < AlertService.MaxAttempts; attempt++)
        {
            Assert.NotEqual(200, (await _receiver.NextAsync(Ct)).Status);
            var retry = await _retries.Reader.ReadAsync(Ct);
            Assert.Equal(attempt, retry.Attempt);
            delays.Add(retry.Delay);
            _time.Advance(retry.Delay);
        }
        Assert.Equal(500, (await _receiver.NextAsync(Ct)).Status);
        var ended = await _ended.Reader.ReadAsync(Ct);
        Assert.Equal((false, 500), (ended.Outcome.Delivered, ended.Outcome.Status));
        Assert.Equal([10, 20, 40, 80, 160], delays.Select(d => d.TotalSeconds));
        Assert.Equal((0L, 1L, 6L), (alerts.Delivered, alerts.Failed, alerts.AttemptsFailed));
        // No seventh attempt, however long the clock runs.
        _time.Advance(TimeSpan.FromHours(1));
        Assert.False(_retries.Reader.TryRead(out _));
        Assert.Equal(TimeSpan.FromMinutes(5), AlertService.Backoff(10));
    }

    [Fact]
    public async Task The_queue_is_bounded_and_raising_never_waits()
    {
        var alerts = await StartAsync("", start: false);
        for (var i = 0; i < AlertService.QueueCapacity; i++) Assert.True(alerts.Raise(AlertKind.RogueDhcp, null, $"n{i}"));
        Assert.False(alerts.Raise(AlertKind.RogueDhcp, null, "one too many"));
        Assert.Equal((65L, 1L), (alerts.Raised(AlertKind.RogueDhcp), alerts.Dropped));
    }

    [Fact]
    public async Task A_host_marked_failed_is_an_alert_to_the_webhooks_that_want_it()
    {
        // webhooks[0] wants host-failed only, webhooks[1] everything.
        var alerts = await StartAsync(Hook("/failed", ", kinds: [host-failed]") + Hook("/all"));
        alerts.Raise(AlertKind.SiteRejected, null, "refused");
        Assert.Equal("/all", (await _receiver.NextAsync(Ct)).Path);
        // Recovery's step that gives up has status 1; the others are no alert.
        _events!.Record(new BootEvent(_time.GetUtcNow(), "recovery", "b", BootEventKind.Recovery, "power-cycled (1 of 3)", 0, 0));
        _events.Record(new BootEvent(_time.GetUtcNow(), "recovery", "a", BootEventKind.Recovery, "marked failed after 3 power cycles", 1, 0));
        var got = new[] { await _receiver.NextAsync(Ct), await _receiver.NextAsync(Ct) };
        Assert.Equal(["/all", "/failed"], got.Select(r => r.Path).Order(StringComparer.Ordinal));
        foreach (var r in got)
        {
            using var body = JsonDocument.Parse(r.Body);
            Assert.Equal("host-failed", body.RootElement.GetProperty("kind").GetString());
            Assert.Equal("a", body.RootElement.GetProperty("host").GetString());
            Assert.Equal("marked failed after 3 power cycles", body.RootElement.GetProperty("message").GetString());
        }
        Assert.Equal(1L, alerts.Raised(AlertKind.HostFailed));
        Assert.False(_receiver.TryNext(out _));
    }

    [Fact]
    public async Task Another_DHCP_server_is_one_alert_an_hour_per_server_and_network_and_the_box_s_own_address_none()
    {
        var alerts = await StartAsync("", start: false);
        var rogue = new OtherDhcpServer("eth0", "lan", Ipv4Address.Parse("10.0.0.254"), MacAddress.Parse("00:00:00:00:00:01"));
        alerts.OtherDhcpServer(rogue);
        alerts.OtherDhcpServer(rogue with { Client = MacAddress.Parse("02:00:00:00:00:09") });
        alerts.OtherDhcpServer(rogue with { Server = Ipv4Address.Parse("10.0.0.1") });
        Assert.Equal(1L, alerts.Raised(AlertKind.RogueDhcp));
        _time.Advance(AlertService.RogueRepeat);
        alerts.OtherDhcpServer(rogue);
        Assert.Equal(2L, alerts.Raised(AlertKind.RogueDhcp));
        await alerts.StartAsync(Ct);
        var first = await WaitForAlertEvent(ct: Ct);
        Assert.Equal("a", first.Host);
        Assert.Equal("rogue-dhcp: another DHCP server, 10.0.0.254, gave host a (00:00:00:00:00:01) an address on network lan (eth0), which the box serves (find and stop it; if it is meant to hand out addresses there, set the network's dhcp: { mode: proxy })", first.Path);
    }

    [Fact]
    public async Task A_certificate_the_box_does_not_trust_is_refused()
    {
        await using var bmc = await RedfishBmc.StartAsync("u", "p", Ct);
        var alerts = await StartAsync($"\n    - {{ url: '{bmc.Url}/hook', secret_file: hook.secret }}");
        var test = await alerts.TestAsync("uid:0", Ct);
        var alert = test.Alert;
        var outcome = Assert.Single(test.Webhooks).Outcome;
        Assert.False(outcome.Delivered);
        Assert.Null(outcome.Status);
        Assert.Contains("SSL connection could not be established", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("certificate", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(AlertKind.Test, alert.Kind);
        Assert.Equal((0L, 1L), (alerts.Delivered, alerts.Failed));
        var e = Assert.Single(_events!.Recent(), e => e.Kind == BootEventKind.Alert);
        Assert.Equal(("test: a test alert, asked for by uid:0", 0), (e.Path, e.Status));
    }

    /// <summary>The first alert event the service records (it records on its own loop).</summary>
    private async Task<BootEvent> WaitForAlertEvent(CancellationToken ct)
    {
        var seen = new TaskCompletionSource<BootEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        void On(BootEvent e)
        {
            if (e.Kind == BootEventKind.Alert) seen.TrySetResult(e);
        }
        _events!.Recorded += On;
        try
        {
            if (_events.Recent().FirstOrDefault(e => e.Kind == BootEventKind.Alert) is { } already) return already;
            return await seen.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        }
        finally
        {
            _events.Recorded -= On;
        }
    }
}
