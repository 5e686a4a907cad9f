namespace NetbootPi.Hardware.Tests.Power;

/// <summary>
/// An ATX motherboard's front panel as its power logic behaves: a press of the power button held at least
/// <see cref="MinPress"/> turns an off board on (its LED lights <see cref="LedDelay"/> after the release) or, on a
/// running board, tells its OS to shut down (LED dark <see cref="ShutdownTime"/> later, unless the OS ignores the
/// button); a hold of <see cref="ForceOffHold"/> cuts the power at that moment; shorter presses do nothing. Reset
/// restarts a running board and leaves its LED lit. The LED bounces at every change. Time is the test's clock.
/// </summary>
internal sealed class SimulatedMotherboard : IDisposable
{
    public static readonly TimeSpan MinPress = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan LedDelay = TimeSpan.FromMilliseconds(300);
    public static readonly TimeSpan ForceOffHold = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan ShutdownTime = TimeSpan.FromSeconds(2);

    // After a change the LED line flips at these offsets before it settles at the new level (an optocoupler
    // behind a power rail coming up, or a contact): odd counts show the new level, even ones the old.
    private static readonly TimeSpan[] BounceOffsets = [TimeSpan.Zero, TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(7), TimeSpan.FromMilliseconds(9)];

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private bool _on;
    private DateTimeOffset _ledChanged = DateTimeOffset.MinValue;
    private DateTimeOffset? _powerPressedAt;
    private DateTimeOffset? _resetPressedAt;
    private ITimer? _forceOff;
    private ITimer? _pending;
    private (DateTimeOffset From, DateTimeOffset Until)? _glitch;
    private (TimeSpan Period, DateTimeOffset Since)? _blink;

    public SimulatedMotherboard(TimeProvider time, bool on = false)
    {
        _time = time;
        _on = on;
    }

    /// <summary>The OS ignores the ACPI power button (a hung or misconfigured host): only a long hold turns it off.</summary>
    public bool IgnoresPowerButton { get; set; }

    public bool IsOn { get { lock (_gate) return _on; } }
    public int Boots { get; private set; }
    public int Shutdowns { get; private set; }
    public int ForcedOffs { get; private set; }
    public int Resets { get; private set; }

    /// <summary>Every press of the power button that was let go, with how long it was held.</summary>
    public List<TimeSpan> PowerPresses { get; } = [];
    public List<TimeSpan> ResetPresses { get; } = [];

    public bool PowerButtonHeld { get { lock (_gate) return _powerPressedAt is not null; } }

    /// <summary>The LED as the sense line sees it now, bounces and glitches included.</summary>
    public bool LedLit
    {
        get
        {
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                if (_blink is { } b) return (now - b.Since).Ticks / b.Period.Ticks % 2 == 0;
                var lit = _on;
                if (_glitch is { } g && now >= g.From && now < g.Until) return !lit;
                var since = now - _ledChanged;
                var flips = BounceOffsets.Count(o => since >= o);
                return flips == BounceOffsets.Length || flips % 2 == 1 ? lit : !lit;
            }
        }
    }

    /// <summary>The LED shows the opposite for <paramref name="length"/> from now (a spike on a long wire).</summary>
    public void Glitch(TimeSpan length)
    {
        lock (_gate) _glitch = (_time.GetUtcNow(), _time.GetUtcNow() + length);
    }

    /// <summary>The LED blinks with <paramref name="period"/> per level, as boards show standby (S3).</summary>
    public void Blink(TimeSpan period)
    {
        lock (_gate) _blink = (period, _time.GetUtcNow());
    }

    public void SetPowerButton(bool pressed)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (pressed)
            {
                if (_powerPressedAt is not null) return;
                _powerPressedAt = now;
                if (_on) _forceOff = _time.CreateTimer(_ => ForceOff(), null, ForceOffHold, Timeout.InfiniteTimeSpan);
                return;
            }
            if (_powerPressedAt is not { } at) return;
            _powerPressedAt = null;
            _forceOff?.Dispose();
            _forceOff = null;
            var held = now - at;
            PowerPresses.Add(held);
            if (held < MinPress || _pending is not null) return;
            if (!_on) Schedule(LedDelay, () => { Change(true); Boots++; });
            else if (held < ForceOffHold && !IgnoresPowerButton) Schedule(ShutdownTime, () => { Change(false); Shutdowns++; });
        }
    }

    public void SetResetButton(bool pressed)
    {
        lock (_gate)
        {
            if (pressed)
            {
                _resetPressedAt ??= _time.GetUtcNow();
                return;
            }
            if (_resetPressedAt is not { } at) return;
            _resetPressedAt = null;
            var held = _time.GetUtcNow() - at;
            ResetPresses.Add(held);
            if (held >= MinPress && _on) Resets++;
        }
    }

    private void ForceOff()
    {
        lock (_gate)
        {
            if (!_on || _powerPressedAt is null) return;
            _pending?.Dispose();
            _pending = null;
            Change(false);
            ForcedOffs++;
        }
    }

    private void Schedule(TimeSpan after, Action change)
    {
        _pending = _time.CreateTimer(_ =>
        {
            lock (_gate)
            {
                _pending?.Dispose();
                _pending = null;
                change();
            }
        }, null, after, Timeout.InfiniteTimeSpan);
    }

    private void Change(bool on)
    {
        if (_on == on) return;
        _on = on;
        _ledChanged = _time.GetUtcNow();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _forceOff?.Dispose();
            _pending?.Dispose();
        }
    }
}
