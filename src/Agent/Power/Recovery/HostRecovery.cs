using System.Globalization;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Power.Recovery;

/// <summary>
/// One host's recovery as a state machine with no I/O: the agent feeds it what it sees (power actions, the host's
/// DHCP exchanges and fetches, probe results, the clock) and carries out the notes it returns (power cycles,
/// events). Time comes in with every call, so tests drive it with any clock.
/// </summary>
/// <remarks>
/// A boot is watched from a power-on through the box or from the first sign of one (a DHCP exchange or a fetch),
/// and must be up by <see cref="RecoveryPolicy.BootTimeout"/>: up is the probe answering, or without a probe the
/// kernel fetched. Within a boot further DHCP exchanges never move the deadline: a host looping in its firmware
/// stays on the clock. A host that was up is cycled when its probe fails for <see cref="RecoveryPolicy.DownAfter"/>.
/// After <see cref="RecoveryPolicy.Attempts"/> cycles without coming up it is failed and left alone until it comes
/// up or someone powers it through the box; a host turned off through the box is left alone until it boots.
/// </remarks>
public sealed class HostRecovery(string host, RecoveryPolicy policy)
{
    private DateTimeOffset _bootStart;
    private bool _byPower;
    private bool _sawDhcp;
    private bool _sawScript;
    private DateTimeOffset? _waitUntil;
    private DateTimeOffset? _probeFailingSince;

    public string Host { get; } = host;
    public RecoveryPolicy Policy { get; } = policy;
    public RecoveryPhase Phase { get; private set; } = RecoveryPhase.Unknown;

    /// <summary>When the host entered <see cref="Phase"/>; null before anything was seen.</summary>
    public DateTimeOffset? Since { get; private set; }

    /// <summary>Power cycles the box has done since the host was last up (or powered through the box).</summary>
    public int Cycles { get; private set; }

    /// <summary>The last reason the box gave for a cycle or for giving up.</summary>
    public string? LastReason { get; private set; }

    /// <summary>When <see cref="Tick"/> has something to decide next; null while nothing is on the clock.</summary>
    public DateTimeOffset? Due => Phase switch
    {
        RecoveryPhase.Booting => _bootStart + Policy.BootTimeout,
        RecoveryPhase.Waiting => _waitUntil,
        RecoveryPhase.Up when _probeFailingSince is { } since => since + Policy.DownAfter,
        _ => null,
    };

    /// <summary>Whether the probe should run now (never while the box is cycling the host).</summary>
    public bool Probes => Policy.ProbePort is not null && Phase != RecoveryPhase.Cycling;

    /// <summary>A power action on the host; <paramref name="byRecovery"/> for the cycles this machine asked for.</summary>
    public RecoveryNote? PowerActed(PowerAction action, bool succeeded, DateTimeOffset now, bool byRecovery = false)
    {
        if (action == PowerAction.Status) return null;
        if (!byRecovery)
        {
            if (!succeeded) return null;
            // Someone chose: what the box did on its own so far no longer counts against the host.
            Cycles = 0;
            LastReason = null;
        }
        if (action is PowerAction.Off or PowerAction.ForceOff)
        {
            if (succeeded) Enter(RecoveryPhase.Off, now);
            return null;
        }
        // On, cycle or reset, or a cycle of ours that failed: a boot on the clock either way (a failed cycle is
        // counted, and the next deadline leads to the next one).
        StartBoot(now, byPower: true);
        return null;
    }

    /// <summary>A boot event of this host (<see cref="BootEventKind.Dhcp"/>, a script or a kernel fetch).</summary>
    public RecoveryNote? BootSeen(BootEventKind kind, int status, DateTimeOffset now)
    {
        var probe = Policy.ProbePort is not null;
        switch (kind)
        {
            case BootEventKind.Dhcp:
                if (Phase is RecoveryPhase.Booting or RecoveryPhase.Waiting) _sawDhcp = true;
                // Up without a probe: an OS's DHCP client asking again is no sign of a reboot (the script fetch is).
                else if (Phase is RecoveryPhase.Unknown or RecoveryPhase.Off || (Phase == RecoveryPhase.Up && probe))
                {
                    StartBoot(now, byPower: false);
                    _sawDhcp = true;
                }
                return null;
            case BootEventKind.Script when status is >= 200 and < 300:
                if (Phase is RecoveryPhase.Booting or RecoveryPhase.Waiting) { _sawDhcp = _sawScript = true; }
                else if (Phase is RecoveryPhase.Unknown or RecoveryPhase.Off || (Phase == RecoveryPhase.Up && !probe))
                {
                    StartBoot(now, byPower: false);
                    _sawDhcp = _sawScript = true;
                }
                return null;
            case BootEventKind.Kernel when status is >= 200 and < 300:
                if (probe || Phase is RecoveryPhase.Up or RecoveryPhase.Cycling) return null;
                return CameUp(now, "its kernel was fetched");
            default:
                return null;
        }
    }

    /// <summary>The probe's result (only for a policy with one).</summary>
    public RecoveryNote? Probed(bool answered, DateTimeOffset now)
    {
        if (Policy.ProbePort is null || Phase == RecoveryPhase.Cycling) return null;
        if (answered)
        {
            _probeFailingSince = null;
            return Phase == RecoveryPhase.Up ? null : CameUp(now, $"probe {Policy.ProbeText} answered");
        }
        if (Phase != RecoveryPhase.Up) return null;
        _probeFailingSince ??= now;
        return Tick(now);
    }

    /// <summary>Decides what is due at <paramref name="now"/>: a cycle, the back-off before one, or giving up.</summary>
    public RecoveryNote? Tick(DateTimeOffset now)
    {
        switch (Phase)
        {
            case RecoveryPhase.Booting when now >= _bootStart + Policy.BootTimeout:
                return TimedOut(now, $"{Missing()} {Duration(Policy.BootTimeout)} after {(_byPower ? "power-on" : "the boot began")}");
            case RecoveryPhase.Waiting when now >= _waitUntil:
                return CycleNow(now);
            case RecoveryPhase.Up when _probeFailingSince is { } since && now - since >= Policy.DownAfter:
                _probeFailingSince = null;
                return TimedOut(now, $"probe {Policy.ProbeText} failing for {Duration(now - since)}");
            default:
                return null;
        }
    }

    private RecoveryNote TimedOut(DateTimeOffset now, string reason)
    {
        LastReason = reason;
        if (Cycles >= Policy.Attempts)
        {
            Enter(RecoveryPhase.Failed, now);
            return new RecoveryNote(RecoveryNoteKind.GaveUp,
                $"{reason}: marked failed after {Cycles} power cycle{(Cycles == 1 ? "" : "s")} (left alone until it comes up or is powered through the box)");
        }
        var wait = Policy.BackoffBefore(Cycles + 1);
        if (wait <= TimeSpan.Zero) return CycleNow(now);
        Enter(RecoveryPhase.Waiting, now);
        _waitUntil = now + wait;
        return new RecoveryNote(RecoveryNoteKind.Waiting, $"{reason}: cycle {Cycles + 1}/{Policy.Attempts} in {Duration(wait)}");
    }

    private RecoveryNote CycleNow(DateTimeOffset now)
    {
        Cycles++;
        Enter(RecoveryPhase.Cycling, now);
        return new RecoveryNote(RecoveryNoteKind.Cycle, $"{LastReason} → cycle {Cycles}/{Policy.Attempts}", Cycles, Policy.Attempts);
    }

    private RecoveryNote CameUp(DateTimeOffset now, string how)
    {
        var after = Phase is RecoveryPhase.Booting or RecoveryPhase.Waiting
            ? $" {Duration(now - _bootStart)} after {(_byPower ? "power-on" : "the boot began")}"
            : "";
        var cycles = Cycles > 0 ? $", after {Cycles} power cycle{(Cycles == 1 ? "" : "s")}" : "";
        Cycles = 0;
        LastReason = null;
        _probeFailingSince = null;
        Enter(RecoveryPhase.Up, now);
        return new RecoveryNote(RecoveryNoteKind.Up, $"up: {how}{after}{cycles}");
    }

    private void StartBoot(DateTimeOffset now, bool byPower)
    {
        Enter(RecoveryPhase.Booting, now);
        _bootStart = now;
        _byPower = byPower;
        _sawDhcp = _sawScript = false;
        _waitUntil = null;
        _probeFailingSince = null;
    }

    private void Enter(RecoveryPhase phase, DateTimeOffset now)
    {
        Phase = phase;
        Since = now;
    }

    /// <summary>The first step of the chain (DHCP, script, kernel, probe) that did not happen.</summary>
    private string Missing()
    {
        if (!_sawDhcp) return "no DHCP exchange";
        if (!_sawScript && Policy.ProbePort is null) return "no boot script or kernel fetched";
        if (Policy.ProbePort is null) return "no kernel fetched";
        return $"probe {Policy.ProbeText} not answering";
    }

    /// <summary>5m, 48s, 1m12s: how the site file writes durations.</summary>
    public static string Duration(TimeSpan t)
    {
        var s = (long)Math.Round(t.TotalSeconds);
        if (s < 60) return string.Create(CultureInfo.InvariantCulture, $"{s}s");
        if (s < 3600) return s % 60 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{s / 60}m") : string.Create(CultureInfo.InvariantCulture, $"{s / 60}m{s % 60}s");
        return s % 3600 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{s / 3600}h") : string.Create(CultureInfo.InvariantCulture, $"{s / 3600}h{s % 3600 / 60}m");
    }
}
