using System.Collections.Immutable;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Dhcp;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Alerts;

/// <summary>
/// Alerts: what an operator must hear about, as a boot event of kind <c>alert</c> (so the event stream carries it)
/// and a signed POST to each of the site's webhooks that wants it, retried with back-off (docs/alerts.md).
/// </summary>
/// <remarks>
/// <see cref="Raise"/> is called where things happen (the DHCP receive loop among them) and never waits: it puts
/// the alert in a bounded queue, and drops and counts it when the queue is full. One loop takes alerts from the
/// queue, records their events and starts one delivery per webhook, at most <see cref="MaxInFlight"/> at once; a
/// delivery waiting for its next attempt holds its place, so a dead receiver fills the queue rather than memory.
/// Alerts live in memory: those queued or between attempts when the agent stops are not sent (their events are in
/// the log).
/// </remarks>
public sealed partial class AlertService : BackgroundService
{
    public const int QueueCapacity = 64;
    public const int MaxInFlight = 16;
    public const int MaxAttempts = 6;
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxRetry = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    /// <summary>One alert per other DHCP server and network in this time: every client it serves would raise one.</summary>
    public static readonly TimeSpan RogueRepeat = TimeSpan.FromHours(1);

    private const string Who = "alerts";

    private readonly SiteState _state;
    private readonly BootEventLog _events;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertService> _logger;
    private readonly HttpClient _http;
    private readonly string _box = Environment.MachineName;
    private readonly Channel<Alert> _queue = Channel.CreateBounded<Alert>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly SemaphoreSlim _slots = new(MaxInFlight, MaxInFlight);
    private readonly Dictionary<string, DateTimeOffset> _rogueSeen = new(StringComparer.Ordinal);
    private readonly Lock _rogueGate = new();
    private readonly long[] _raised = new long[AlertKinds.All.Length];
    private long _dropped;
    private long _delivered;
    private long _failed;
    private long _attemptsFailed;

    public AlertService(SiteState state, BootEventLog events, TimeProvider time, ILogger<AlertService> logger, string version,
        HttpMessageHandler? handler = null)
    {
        _state = state;
        _events = events;
        _time = time;
        _logger = logger;
        handler ??= new SocketsHttpHandler
        {
            // A redirect would send the signed body somewhere the site does not name; a 3xx is a failed attempt.
            AllowAutoRedirect = false,
            UseProxy = false,
            ConnectTimeout = AttemptTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // The certificate is checked as .NET does by default (chain and name against the system's CAs); there
            // is no switch to skip it.
        };
        // Each attempt's time limit is on the injected clock (AttemptTimeout), not HttpClient's own.
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("netbootpi", version));
        events.Recorded += OnRecorded;
    }

    /// <summary>A delivery failed an attempt and waits for the next (tests wait for this instead of for time).</summary>
    public event Action<WebhookRetry>? RetryScheduled;

    /// <summary>A delivery ended: delivered, or failed after its last attempt (tests wait for this).</summary>
    public event Action<int, string, WebhookOutcome>? DeliveryEnded;

    /// <summary>The delay before attempt <paramref name="failed"/> + 1: 10 s, doubling, at most 5 minutes.</summary>
    public static TimeSpan Backoff(int failed) =>
        TimeSpan.FromTicks(Math.Min(MaxRetry.Ticks, FirstRetry.Ticks << Math.Min(failed - 1, 20)));

    /// <summary>
    /// Queues an alert; never waits. False (and counted in <see cref="Dropped"/>) when the queue is full; the alert
    /// is then neither recorded nor sent.
    /// </summary>
    public bool Raise(AlertKind kind, string? host, string message, ImmutableArray<string> details = default)
    {
        var alert = new Alert(NewId(), kind, _time.GetUtcNow(), host, message, details.IsDefault ? [] : details);
        Interlocked.Increment(ref _raised[(int)kind]);
        if (_queue.Writer.TryWrite(alert)) return true;
        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Alerts raised so far, by kind (those dropped included).</summary>
    public long Raised(AlertKind kind) => Interlocked.Read(ref _raised[(int)kind]);

    /// <summary>Alerts dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Deliveries (an alert to one webhook) that ended with a 2xx answer.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Deliveries that had no 2xx answer in any attempt.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Attempts that had no 2xx answer (a delivery retried twice and then delivered counts 2).</summary>
    public long AttemptsFailed => Interlocked.Read(ref _attemptsFailed);

    /// <summary>Recovery marked a host failed: its event has status 1.</summary>
    private void OnRecorded(BootEvent e)
    {
        if (e.Kind == BootEventKind.Recovery && e.Status == 1) Raise(AlertKind.HostFailed, e.Host, e.Path);
    }

    /// <summary>A reload refused the site file (SIGHUP, <c>netbootpi reload</c>, an apply).</summary>
    public void SiteRejected(string path, IReadOnlyList<SiteError> errors)
    {
        var count = errors.Count == 1 ? "1 error" : $"{errors.Count} errors";
        Raise(AlertKind.SiteRejected, null, $"reload of {path} refused ({count}; the first: {errors[0]}); the running site is unchanged",
            [.. errors.Select(e => e.ToString())]);
    }

    /// <summary>A client took its address from another DHCP server on a network the box serves; once an hour per server and network.</summary>
    public void OtherDhcpServer(OtherDhcpServer seen)
    {
        var site = _state.Current;
        // The box's own address on another network (a relayed request names the address the relay sent it to).
        foreach (var n in site.Networks)
            if (n.BoxAddress == seen.Server) return;
        var now = _time.GetUtcNow();
        var key = $"{seen.Network}/{seen.Server}";
        lock (_rogueGate)
        {
            if (_rogueSeen.TryGetValue(key, out var last) && now - last < RogueRepeat) return;
            _rogueSeen[key] = now;
        }
        var host = site.FindHost(seen.Client);
        var client = host is null ? $"client {seen.Client}" : $"host {host.Name} ({seen.Client})";
        Raise(AlertKind.RogueDhcp, host?.Name,
            $"another DHCP server, {seen.Server}, gave {client} an address on network {seen.Network ?? "?"} ({seen.Interface}), which the box serves (find and stop it; if it is meant to hand out addresses there, set the network's dhcp: {{ mode: proxy }})");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                if (!_queue.Reader.TryRead(out var alert)) continue;
                _events.Record(new BootEvent(alert.Time, Who, alert.Host, BootEventKind.Alert, alert.EventPath, 1, 0));
                LogAlert(AlertKinds.Name(alert.Kind), alert.Id, alert.Message);
                var hooks = _state.Current.Webhooks.Where(h => h.Wants(alert.Kind)).ToList();
                if (hooks.Count == 0) continue;
                var body = Body(alert);
                foreach (var hook in hooks)
                {
                    await _slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                    _ = RunDeliveryAsync(hook, alert, body, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is queued is not sent (its events are not recorded either).
        }
    }

    private async Task RunDeliveryAsync(WebhookSettings hook, Alert alert, byte[] body, CancellationToken stop)
    {
        try
        {
            await DeliverAsync(hook, alert, body, stop).ConfigureAwait(false);
        }
        catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException)
        {
            // Stopping: the wait was cancelled, or the client went with the service while an attempt ran.
            LogStopped(AlertKinds.Name(alert.Kind), alert.Id, hook.Display);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Attempts until a 2xx answer or <see cref="MaxAttempts"/>, waiting <see cref="Backoff"/> between them.</summary>
    internal async Task<WebhookOutcome> DeliverAsync(WebhookSettings hook, Alert alert, byte[] body, CancellationToken stop)
    {
        var kind = AlertKinds.Name(alert.Kind);
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await SendAsync(hook, alert.Id, body, stop).ConfigureAwait(false);
            if (outcome.Delivered)
            {
                Interlocked.Increment(ref _delivered);
                LogDelivered(kind, alert.Id, hook.Display, attempt, outcome.Message);
                DeliveryEnded?.Invoke(hook.Index, alert.Id, outcome);
                return outcome;
            }
            Interlocked.Increment(ref _attemptsFailed);
            if (attempt >= MaxAttempts)
            {
                Interlocked.Increment(ref _failed);
                LogGaveUp(kind, alert.Id, hook.Display, attempt, outcome.Message);
                DeliveryEnded?.Invoke(hook.Index, alert.Id, outcome);
                return outcome;
            }
            var delay = Backoff(attempt);
            LogRetrying(kind, alert.Id, hook.Display, attempt, outcome.Message, (long)delay.TotalSeconds);
            // The timer exists before anyone hears of it: a fake clock advanced on the news fires it.
            var wait = Task.Delay(delay, _time, stop);
            RetryScheduled?.Invoke(new WebhookRetry(hook.Index, alert.Id, attempt, delay, outcome));
            await wait.ConfigureAwait(false);
        }
    }

    /// <summary>One signed POST of <paramref name="body"/>; the timestamp is the attempt's, so each attempt is signed anew.</summary>
    internal async Task<WebhookOutcome> SendAsync(WebhookSettings hook, string id, byte[] body, CancellationToken stop)
    {
        var stamp = _time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.IdHeader, id);
        request.Headers.Add(WebhookSignature.TimestampHeader, stamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(hook.Secret, stamp, body));
        using var timeout = new CancellationTokenSource(AttemptTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return status is >= 200 and < 300
                ? new WebhookOutcome(true, status, $"answered {status}")
                : new WebhookOutcome(false, status, $"answered {status} {response.ReasonPhrase}".TrimEnd());
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            return new WebhookOutcome(false, null, $"no answer within {AttemptTimeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            // The runtime's sentences name the host and port at most (never the path, which may hold a token).
            var inner = e.InnerException is { } i && !e.Message.Contains(i.Message, StringComparison.Ordinal) ? $": {i.Message}" : "";
            return new WebhookOutcome(false, null, $"{e.Message}{inner}");
        }
    }

    /// <summary>
    /// <c>netbootpi alerts test</c>: a test alert (an event, status 0) sent once to every webhook, whatever its kinds,
    /// without retries, so the answer says at once whether each receiver takes it and checks the signature.
    /// </summary>
    public async Task<AlertTest> TestAsync(string who, CancellationToken cancellation)
    {
        var alert = new Alert(NewId(), AlertKind.Test, _time.GetUtcNow(), null, $"a test alert, asked for by {who}", []);
        Interlocked.Increment(ref _raised[(int)AlertKind.Test]);
        _events.Record(new BootEvent(alert.Time, Who, null, BootEventKind.Alert, alert.EventPath, 0, 0));
        var hooks = _state.Current.Webhooks;
        var body = Body(alert);
        var outcomes = await Task.WhenAll(hooks.Select(h => SendAsync(h, alert.Id, body, cancellation))).ConfigureAwait(false);
        var result = new List<WebhookTest>(hooks.Length);
        for (var i = 0; i < hooks.Length; i++)
        {
            var o = outcomes[i];
            if (o.Delivered) Interlocked.Increment(ref _delivered);
            else
            {
                Interlocked.Increment(ref _attemptsFailed);
                Interlocked.Increment(ref _failed);
            }
            LogTested(alert.Id, hooks[i].Display, o.Delivered ? "delivered" : "not delivered", o.Message);
            result.Add(new WebhookTest(hooks[i], o));
        }
        return new AlertTest(alert, result);
    }

    internal byte[] Body(Alert alert) => JsonSerializer.SerializeToUtf8Bytes(
        new AlertBody(alert.Id, AlertKinds.Name(alert.Kind), _box, _state.Current.Site.Name, alert.Time, alert.Host, alert.Message, [.. alert.Details]),
        AlertJson.Default.AlertBody);

    private static string NewId() => RandomNumberGenerator.GetHexString(32, lowercase: true);

    public override void Dispose()
    {
        _events.Recorded -= OnRecorded;
        _http.Dispose();
        base.Dispose();
    }
}
