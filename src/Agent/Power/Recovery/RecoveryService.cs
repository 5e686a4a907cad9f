using System.Collections.Frozen;
using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Consoles;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Power.Recovery;

/// <summary>
/// Recovers the hosts whose <c>recovery:</c> asks for it (docs/power.md): one <see cref="HostRecovery"/> per host,
/// fed from the boot events (DHCP, script and kernel fetches), the power actions through the agent and the probes;
/// the power cycles it decides go through <see cref="HostPowerService"/>. Every step is a boot event of the host.
/// </summary>
/// <remarks>
/// One loop owns every host's state: the event log's and the power service's callbacks only queue what they saw
/// (the event log calls from a DHCP receive loop, which must never wait).
/// </remarks>
public sealed partial class RecoveryService(SiteState state, BootEventLog events, HostPowerService power, TimeProvider time,
    ILogger<RecoveryService> logger, ConsoleService? consoles = null, IRecoveryWitness? witness = null) : BackgroundService
{
    /// <summary>Who the box's own power cycles are from, in the power events.</summary>
    public const string Who = "recovery";

    private static readonly TimeSpan MaxProbeInterval = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxProbeTime = TimeSpan.FromSeconds(3);

    /// <summary>How long a cycle waits for its witness (the screen's snapshot) before the power goes.</summary>
    private static readonly TimeSpan WitnessTime = TimeSpan.FromSeconds(5);

    private readonly Channel<Input> _inputs = Channel.CreateUnbounded<Input>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, Watched> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private FrozenSet<string> _names = FrozenSet<string>.Empty;
    private IReadOnlyList<RecoveryStatus> _snapshot = [];
    private CancellationToken _stopping;

    /// <summary>Every watched host as the loop last left it, and the hosts whose recovery cannot work (with why).</summary>
    public IReadOnlyList<RecoveryStatus> Snapshot => Volatile.Read(ref _snapshot);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        Watch(state.Current);
        events.Recorded += OnRecorded;
        power.Acted += OnActed;
        state.Changed += OnSiteChanged;
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wake = Step(time.GetUtcNow());
                Publish();
                if (!await WaitAsync(wake, stoppingToken).ConfigureAwait(false)) break;
                while (_inputs.Reader.TryRead(out var input)) Take(input, time.GetUtcNow());
            }
        }
        finally
        {
            events.Recorded -= OnRecorded;
            power.Acted -= OnActed;
            state.Changed -= OnSiteChanged;
        }
    }

    /// <summary>Waits for an input or until <paramref name="wake"/>; false when stopping.</summary>
    private async Task<bool> WaitAsync(DateTimeOffset? wake, CancellationToken stoppingToken)
    {
        var delay = wake is { } w ? w - time.GetUtcNow() : Timeout.InfiniteTimeSpan;
        if (delay != Timeout.InfiniteTimeSpan && delay <= TimeSpan.Zero) return true;
        using var timer = delay == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(delay, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, stoppingToken);
        try
        {
            await _inputs.Reader.WaitToReadAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The next decision or probe is due.
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        return true;
    }

    /// <summary>What is due now for every host; returns when something is next due.</summary>
    private DateTimeOffset? Step(DateTimeOffset now)
    {
        DateTimeOffset? wake = null;
        foreach (var watched in _hosts.Values)
        {
            if (watched.Recovery.Tick(now) is { } note) Carry(watched, note, now);
            if (watched.Recovery.Probes && !watched.Probing && now >= watched.NextProbe) StartProbe(watched, now);
            if (watched.Recovery.Due is { } due && (wake is null || due < wake)) wake = due;
            if (watched.Recovery.Probes && !watched.Probing && ProbeAddress(watched) is not null && (wake is null || watched.NextProbe < wake))
                wake = watched.NextProbe;
        }
        return wake;
    }

    private void Take(Input input, DateTimeOffset now)
    {
        switch (input)
        {
            case SiteInput site:
                Watch(site.Site);
                return;
            case BootInput { Event: var e } when e.Host is { } name && _hosts.TryGetValue(name, out var watched):
                if (e.Kind == BootEventKind.Dhcp && IPAddress.TryParse(e.Client, out var leased)) watched.Leased = leased;
                if (watched.Recovery.BootSeen(e.Kind, e.Status, now) is { } seen) Carry(watched, seen, now);
                return;
            case PowerInput p when _hosts.TryGetValue(p.Host, out var watched):
                if (watched.Recovery.PowerActed(p.Action, p.Succeeded, now, p.ByRecovery) is { } acted) Carry(watched, acted, now);
                // A boot begins: probe from now on, not from whenever the last probe ran.
                watched.NextProbe = now;
                return;
            case ProbeInput probe when _hosts.TryGetValue(probe.Host, out var watched) && watched.Recovery == probe.Recovery:
                watched.Probing = false;
                if (watched.Recovery.Probed(probe.Answered, now) is { } probed) Carry(watched, probed, now);
                return;
        }
    }

    /// <summary>Records a step as an event and in the journal, and starts the power cycle it asks for.</summary>
    private void Carry(Watched watched, RecoveryNote note, DateTimeOffset now)
    {
        var host = watched.Host;
        // What the host said last is often why (a kernel panic, a login prompt that never got its network), and a
        // console silent all along says the host never got as far as its firmware's or kernel's first line.
        if (note.Kind is RecoveryNoteKind.Cycle or RecoveryNoteKind.GaveUp && host.Console is not null && consoles is not null)
        {
            var line = consoles.LastLine(host.Name);
            var said = line is null ? "; its console has said nothing since the agent started"
                : note.Since is { } since && line.Time < since
                    ? $"; its console has said nothing since {note.SinceWhat} (its last line, {HostRecovery.Duration(now - line.Time)} before: \"{Shorten(line.Text)}\")"
                    : $"; its console's last line, {HostRecovery.Duration(now - line.Time)} before: \"{Shorten(line.Text)}\"";
            note = note with { Message = note.Message + said };
        }
        events.Record(new BootEvent(now, Who, host.Name, BootEventKind.Recovery, note.Message, note.Kind == RecoveryNoteKind.GaveUp ? 1 : 0, 0));
        switch (note.Kind)
        {
            case RecoveryNoteKind.Up: LogUp(host.Name, note.Message); break;
            case RecoveryNoteKind.Waiting: LogWaiting(host.Name, note.Message); break;
            case RecoveryNoteKind.GaveUp: LogGaveUp(host.Name, note.Message); break;
            case RecoveryNoteKind.Cycle:
                LogCycle(host.Name, note.Message);
                // The outcome comes back through the power service's Acted, as every action through the agent does.
                var why = note.Message;
                _ = Task.Run(async () =>
                {
                    if (witness is not null) await WitnessAsync(host, why).ConfigureAwait(false);
                    return await power.RunAsync(host, PowerAction.Cycle, Who, _stopping).ConfigureAwait(false);
                }, CancellationToken.None);
                break;
        }
    }

    /// <summary>The witness's look at the host before its power goes, bounded: a cycle is never held up for long.</summary>
    private async Task WitnessAsync(HostEntry host, string why)
    {
        using var timer = new CancellationTokenSource(WitnessTime, time);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, _stopping);
        try
        {
            await witness!.BeforeCycleAsync(host, why, limit.Token).WaitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            // It took too long: the cycle goes ahead without it.
        }
    }

    private void StartProbe(Watched watched, DateTimeOffset now)
    {
        if (ProbeAddress(watched) is not { } address) return;
        var interval = ProbeInterval(watched.Recovery.Policy);
        watched.NextProbe = now + interval;
        watched.Probing = true;
        var recovery = watched.Recovery;
        var port = recovery.Policy.ProbePort!.Value;
        var limit = interval < MaxProbeTime ? interval : MaxProbeTime;
        _ = Task.Run(async () =>
        {
            try
            {
                var answered = await TcpProbe.AnswersAsync(address, port, limit, _stopping).ConfigureAwait(false);
                _inputs.Writer.TryWrite(new ProbeInput(recovery.Host, recovery, answered));
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }, CancellationToken.None);
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 117), "...");

    /// <summary>A quarter of down_after, between 1 and 15 seconds: a host that goes silent is seen within down_after.</summary>
    internal static TimeSpan ProbeInterval(RecoveryPolicy policy)
    {
        var quarter = policy.DownAfter / 4;
        return quarter < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : quarter > MaxProbeInterval ? MaxProbeInterval : quarter;
    }

    private static IPAddress? ProbeAddress(Watched watched) =>
        watched.Host.Ip is { } ip ? ip.ToIPAddress() : watched.Leased;

    /// <summary>Follows a new site: hosts keep their state while their policy stays the same.</summary>
    private void Watch(SiteInventory site)
    {
        var old = new Dictionary<string, Watched>(_hosts, StringComparer.OrdinalIgnoreCase);
        _hosts.Clear();
        foreach (var host in site.Hosts)
        {
            if (site.RecoveryGap(host) is { } gap) LogCannotRecover(host.Name, gap);
            if (site.RecoveryFor(host) is not { } policy) continue;
            if (old.TryGetValue(host.Name, out var kept) && Same(kept.Recovery.Policy, policy))
            {
                kept.Host = host;
                _hosts[host.Name] = kept;
            }
            else _hosts[host.Name] = new Watched(host, new HostRecovery(host.Name, policy));
        }
        Volatile.Write(ref _names, _hosts.Keys.ToFrozenSet(StringComparer.OrdinalIgnoreCase));
        if (_hosts.Count > 0) LogWatching(_hosts.Count, string.Join(", ", _hosts.Keys));
    }

    private static bool Same(RecoveryPolicy a, RecoveryPolicy b) => a with { Location = b.Location } == b;

    private void Publish()
    {
        var site = state.Current;
        var list = new List<RecoveryStatus>();
        foreach (var w in _hosts.Values)
        {
            var r = w.Recovery;
            list.Add(new RecoveryStatus(r.Host, r.Phase, r.Since, r.Cycles, r.Policy, r.LastReason, null));
        }
        foreach (var host in site.Hosts)
            if (site.RecoveryGap(host) is { } gap) list.Add(new RecoveryStatus(host.Name, null, null, 0, null, null, gap));
        Volatile.Write(ref _snapshot, list);
    }

    private void OnRecorded(BootEvent e)
    {
        if (e.Kind is BootEventKind.Dhcp or BootEventKind.Script or BootEventKind.Kernel && e.Host is { } h && Volatile.Read(ref _names).Contains(h))
            _inputs.Writer.TryWrite(new BootInput(e));
    }

    private void OnActed(HostEntry host, PowerAction action, PowerReply reply, string who) =>
        _inputs.Writer.TryWrite(new PowerInput(host.Name, action, reply.Succeeded, who == Who));

    private void OnSiteChanged(SiteInventory site) => _inputs.Writer.TryWrite(new SiteInput(site));

    private sealed class Watched(HostEntry host, HostRecovery recovery)
    {
        public HostEntry Host { get; set; } = host;
        public HostRecovery Recovery { get; } = recovery;
        public IPAddress? Leased { get; set; }
        public DateTimeOffset NextProbe { get; set; }
        public bool Probing { get; set; }
    }

    private abstract record Input;
    private sealed record SiteInput(SiteInventory Site) : Input;
    private sealed record BootInput(BootEvent Event) : Input;
    private sealed record PowerInput(string Host, PowerAction Action, bool Succeeded, bool ByRecovery) : Input;
    private sealed record ProbeInput(string Host, HostRecovery Recovery, bool Answered) : Input;

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "recovery watches {Count} hosts: {Hosts}")]
    private partial void LogWatching(int count, string hosts);

    [LoggerMessage(EventId = 901, Level = LogLevel.Warning, Message = "recovery: host {Host} is not recovered although its profile asks: {Why}")]
    private partial void LogCannotRecover(string host, string why);

    [LoggerMessage(EventId = 902, Level = LogLevel.Information, Message = "recovery: {Host} {Message}")]
    private partial void LogUp(string host, string message);

    [LoggerMessage(EventId = 903, Level = LogLevel.Warning, Message = "recovery: {Host}: {Message}")]
    private partial void LogWaiting(string host, string message);

    [LoggerMessage(EventId = 904, Level = LogLevel.Warning, Message = "recovery: {Host}: {Message}")]
    private partial void LogCycle(string host, string message);

    [LoggerMessage(EventId = 905, Level = LogLevel.Error, Message = "recovery: {Host}: {Message}")]
    private partial void LogGaveUp(string host, string message);
}
