using System.Device.Gpio;

namespace NetbootPi.Hardware.Power;

/// <summary>
/// A host's ATX front panel driven through GPIO lines: the power and reset buttons pressed for set times, the
/// power LED read with a debounce to tell the host's state. Works on any <see cref="GpioController"/>: the Pi's own
/// lines, or an MCP23017/MCP23008 expander's (the bindings' drivers are <see cref="GpioDriver"/>s).
/// </summary>
/// <remarks>
/// Each action reads the LED first and presses only when the host is not already where it was asked to go, because
/// a short press toggles: "on" pressed on a running host would shut it down. Without an LED line the actions
/// press blindly and say so. Presses are released on every path, cancellation included: a button left held
/// would force the host off. All waiting goes through the injected <see cref="TimeProvider"/>.
/// </remarks>
public sealed class AtxPower : IDisposable
{
    private readonly GpioController _gpio;
    private readonly AtxLines _lines;
    private readonly AtxTimings _timings;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _busy = new(1, 1);

    /// <summary>Opens the lines on <paramref name="gpio"/>: the buttons as outputs at their released level, the LED as an input.</summary>
    public AtxPower(GpioController gpio, AtxLines lines, AtxTimings timings, TimeProvider time)
    {
        _gpio = gpio;
        _lines = lines;
        _timings = timings;
        _time = time;
        OpenButton(lines.PowerPin);
        if (lines.ResetPin is { } reset) OpenButton(reset);
        if (lines.LedPin is { } led) gpio.OpenPin(led, LedMode(gpio, led, lines.LedActiveLow));
    }

    public AtxLines Lines => _lines;

    private PinValue Pressed => _lines.PressActiveLow ? PinValue.Low : PinValue.High;
    private PinValue Released => _lines.PressActiveLow ? PinValue.High : PinValue.Low;

    private void OpenButton(int pin)
    {
        // The released level goes with the direction (the kernel's line request carries it), so that opening a line
        // never presses its button for an instant; an expander's latches are preset by AtxExpander.Open.
        _gpio.OpenPin(pin, PinMode.Output, Released);
    }

    private static PinMode LedMode(GpioController gpio, int pin, bool activeLow)
    {
        // An optocoupler's transistor only pulls down: the pull-up gives the "LED dark" level. Active high wants a
        // pull-down where the chip has one (an MCP23017 has none: then the wiring needs its own resistor).
        if (activeLow) return PinMode.InputPullUp;
        return gpio.IsPinModeSupported(pin, PinMode.InputPullDown) ? PinMode.InputPullDown : PinMode.Input;
    }

    /// <summary>The host's state from its LED: a level held for <see cref="AtxTimings.Debounce"/>; Unknown without an LED line or when it never holds.</summary>
    public async Task<PowerState> ReadStateAsync(CancellationToken cancellation = default)
    {
        if (_lines.LedPin is not { } led) return PowerState.Unknown;
        var debounce = _timings.Debounce;
        var sample = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, debounce.Ticks / 5));
        // A blinking LED (a board in standby) never holds a level for long: after this many windows it is Unknown.
        var deadline = _time.GetUtcNow() + debounce * 20;
        var level = Lit(led);
        var since = _time.GetUtcNow();
        while (true)
        {
            var now = _time.GetUtcNow();
            if (now - since >= debounce) return level ? PowerState.On : PowerState.Off;
            if (now >= deadline) return PowerState.Unknown;
            await Task.Delay(sample, _time, cancellation).ConfigureAwait(false);
            var next = Lit(led);
            if (next != level)
            {
                level = next;
                since = _time.GetUtcNow();
            }
        }
    }

    private bool Lit(int led) => (_gpio.Read(led) == PinValue.Low) == _lines.LedActiveLow;

    /// <summary>A short press if the host is not on, then waits for its LED to light.</summary>
    public Task<AtxResult> PowerOnAsync(CancellationToken cancellation = default) =>
        Exclusive(async () =>
        {
            var before = await ReadStateAsync(cancellation).ConfigureAwait(false);
            if (before == PowerState.On) return new AtxResult(AtxOutcome.AlreadyThere, before, before);
            await PressAsync(_lines.PowerPin, _timings.ShortPress, cancellation).ConfigureAwait(false);
            return await SettleAsync(before, PowerState.On, _timings.OnTimeout, cancellation).ConfigureAwait(false);
        }, cancellation);

    /// <summary>A short press if the host is on (its OS sees the ACPI power button and shuts down), then waits for the LED to go dark.</summary>
    public Task<AtxResult> PowerOffAsync(CancellationToken cancellation = default) =>
        Exclusive(async () =>
        {
            var before = await ReadStateAsync(cancellation).ConfigureAwait(false);
            if (before == PowerState.Off) return new AtxResult(AtxOutcome.AlreadyThere, before, before);
            await PressAsync(_lines.PowerPin, _timings.ShortPress, cancellation).ConfigureAwait(false);
            return await SettleAsync(before, PowerState.Off, _timings.ShutdownTimeout, cancellation).ConfigureAwait(false);
        }, cancellation);

    /// <summary>Holds the power button for <see cref="AtxTimings.LongPress"/>: the board cuts the power whatever its OS does.</summary>
    public Task<AtxResult> ForceOffAsync(CancellationToken cancellation = default) =>
        Exclusive(() => ForceOffCoreAsync(cancellation), cancellation);

    private async Task<AtxResult> ForceOffCoreAsync(CancellationToken cancellation)
    {
        var before = await ReadStateAsync(cancellation).ConfigureAwait(false);
        if (before == PowerState.Off) return new AtxResult(AtxOutcome.AlreadyThere, before, before);
        await PressAsync(_lines.PowerPin, _timings.LongPress, cancellation).ConfigureAwait(false);
        // The board cuts the power during the hold: the LED is dark by the time the button is let go.
        return await SettleAsync(before, PowerState.Off, _timings.Debounce * 10, cancellation).ConfigureAwait(false);
    }

    /// <summary>Presses reset; the host must be on (a reset press does nothing to a host that is off).</summary>
    public Task<AtxResult> ResetAsync(CancellationToken cancellation = default) =>
        Exclusive(async () =>
        {
            var before = await ReadStateAsync(cancellation).ConfigureAwait(false);
            if (_lines.ResetPin is not { } reset) return new AtxResult(AtxOutcome.NoResetLine, before, before);
            if (before == PowerState.Off) return new AtxResult(AtxOutcome.HostOff, before, before);
            await PressAsync(reset, _timings.ResetPress, cancellation).ConfigureAwait(false);
            var after = await ReadStateAsync(cancellation).ConfigureAwait(false);
            var outcome = _lines.LedPin is null ? AtxOutcome.Unconfirmed : after == PowerState.On ? AtxOutcome.Done : AtxOutcome.NotConfirmed;
            return new AtxResult(outcome, before, after);
        }, cancellation);

    /// <summary>Forces the power off (if on), leaves it off for <see cref="AtxTimings.CycleOffTime"/>, and turns it on.</summary>
    public Task<AtxResult> CycleAsync(CancellationToken cancellation = default) =>
        Exclusive(async () =>
        {
            var off = await ForceOffCoreAsync(cancellation).ConfigureAwait(false);
            if (off.Outcome == AtxOutcome.NotConfirmed) return off;
            await Task.Delay(_timings.CycleOffTime, _time, cancellation).ConfigureAwait(false);
            await PressAsync(_lines.PowerPin, _timings.ShortPress, cancellation).ConfigureAwait(false);
            var on = await SettleAsync(PowerState.Off, PowerState.On, _timings.OnTimeout, cancellation).ConfigureAwait(false);
            return on with { Before = off.Before };
        }, cancellation);

    private async Task PressAsync(int pin, TimeSpan hold, CancellationToken cancellation)
    {
        _gpio.Write(pin, Pressed);
        try
        {
            await Task.Delay(hold, _time, cancellation).ConfigureAwait(false);
        }
        finally
        {
            _gpio.Write(pin, Released);
        }
    }

    /// <summary>Reads the LED until it shows <paramref name="wanted"/> or <paramref name="timeout"/> has passed.</summary>
    private async Task<AtxResult> SettleAsync(PowerState before, PowerState wanted, TimeSpan timeout, CancellationToken cancellation)
    {
        if (_lines.LedPin is null) return new AtxResult(AtxOutcome.Unconfirmed, before, PowerState.Unknown);
        var deadline = _time.GetUtcNow() + timeout;
        while (true)
        {
            var state = await ReadStateAsync(cancellation).ConfigureAwait(false);
            if (state == wanted) return new AtxResult(AtxOutcome.Done, before, state);
            if (_time.GetUtcNow() >= deadline) return new AtxResult(AtxOutcome.NotConfirmed, before, state);
        }
    }

    // One action at a time per host: a status read in the middle of a long press would see the board mid-change,
    // and two presses overlapping would toggle the host twice.
    private async Task<AtxResult> Exclusive(Func<Task<AtxResult>> action, CancellationToken cancellation)
    {
        await _busy.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            return await action().ConfigureAwait(false);
        }
        finally
        {
            _busy.Release();
        }
    }

    /// <summary>Releases the buttons and closes the lines; the controller itself belongs to the caller.</summary>
    public void Dispose()
    {
        ClosePin(_lines.PowerPin);
        if (_lines.ResetPin is { } reset) ClosePin(reset);
        if (_lines.LedPin is { } led) ClosePin(led);
        _busy.Dispose();
    }

    private void ClosePin(int pin)
    {
        if (!_gpio.IsPinOpen(pin)) return;
        if (pin != _lines.LedPin) _gpio.Write(pin, Released);
        _gpio.ClosePin(pin);
    }
}
