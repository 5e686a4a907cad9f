using System.Device.Gpio;
using NetbootPi.Hardware.Power;

namespace NetbootPi.Hardware.Tests.Power;

/// <summary>
/// What <see cref="AtxPower"/> does to a motherboard, run against each way the lines reach it: the Pi's own GPIO
/// (<see cref="AtxPowerOnGpioTests"/>) and an I²C expander through the bindings' drivers
/// (<see cref="AtxPowerOnMcp23017Tests"/>, <see cref="AtxPowerOnMcp23008Tests"/>). Time is a fake clock moved by the
/// test in 10 ms steps; nothing sleeps.
/// </summary>
public abstract class AtxPowerContract : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);
    private protected readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 12, 6, 21, 0, 0, TimeSpan.Zero));
    private readonly List<IDisposable> _owned = [];

    /// <summary>The controller whose lines are wired to <paramref name="wiring"/>.</summary>
    private protected abstract GpioController Connect(FrontPanelWiring wiring);

    /// <summary>Power, reset and LED line numbers on the controller under test.</summary>
    private protected abstract (int Power, int Reset, int Led) Lines { get; }

    private (SimulatedMotherboard Board, AtxPower Power) Rig(bool on = false, AtxTimings? timings = null,
        bool withReset = true, bool withLed = true, bool pressActiveLow = false, bool ledActiveLow = true)
    {
        var board = new SimulatedMotherboard(Time, on);
        var (p, r, l) = Lines;
        var wiring = new FrontPanelWiring(board, p, withReset ? r : null, withLed ? l : null, pressActiveLow, ledActiveLow);
        var gpio = Connect(wiring);
        var power = new AtxPower(gpio, new AtxLines(p, withReset ? r : null, withLed ? l : null, pressActiveLow, ledActiveLow),
            timings ?? AtxTimings.Default, Time);
        _owned.Add(board);
        _owned.Add(gpio);
        _owned.Add(power);
        return (board, power);
    }

    /// <summary>Moves the clock until <paramref name="task"/> ends (at most an hour of fake time).</summary>
    private protected async Task<T> Run<T>(Task<T> task)
    {
        for (var i = 0; i < 360_000 && !task.IsCompleted; i++) Time.Advance(Step);
        Assert.True(task.IsCompleted, "the action did not end within an hour of fake time");
        return await task;
    }

    private void Wait(TimeSpan span)
    {
        for (var t = TimeSpan.Zero; t < span; t += Step) Time.Advance(Step);
    }

    [Fact]
    public void Opening_the_lines_presses_nothing()
    {
        var (board, _) = Rig(pressActiveLow: true);
        Wait(TimeSpan.FromSeconds(10));
        Assert.Empty(board.PowerPresses);
        Assert.False(board.PowerButtonHeld);
        Assert.False(board.IsOn);
    }

    [Fact]
    public async Task On_presses_once_for_the_short_time_and_sees_the_LED_light()
    {
        var (board, power) = Rig();
        var result = await Run(power.PowerOnAsync(TestContext.Current.CancellationToken));
        Assert.Equal(new AtxResult(AtxOutcome.Done, PowerState.Off, PowerState.On), result);
        Assert.True(board.IsOn);
        Assert.Equal(1, board.Boots);
        Assert.Equal([AtxTimings.Default.ShortPress], board.PowerPresses);
    }

    [Fact]
    public async Task On_for_a_host_that_is_on_presses_nothing()
    {
        var (board, power) = Rig(on: true);
        var result = await Run(power.PowerOnAsync(TestContext.Current.CancellationToken));
        Assert.Equal(AtxOutcome.AlreadyThere, result.Outcome);
        Assert.Empty(board.PowerPresses);
        Assert.True(board.IsOn);
    }

    [Fact]
    public async Task The_same_wiring_with_inverted_polarity_works_as_well()
    {
        var (board, power) = Rig(pressActiveLow: true, ledActiveLow: false);
        var result = await Run(power.PowerOnAsync(TestContext.Current.CancellationToken));
        Assert.Equal(AtxOutcome.Done, result.Outcome);
        Assert.True(board.IsOn);
        Assert.Equal(PowerState.On, await Run(power.ReadStateAsync(TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task A_press_shorter_than_the_board_takes_is_reported_as_not_confirmed()
    {
        var timings = AtxTimings.Default with { ShortPress = TimeSpan.FromMilliseconds(60), OnTimeout = TimeSpan.FromSeconds(3) };
        var (board, power) = Rig(timings: timings);
        var result = await Run(power.PowerOnAsync(TestContext.Current.CancellationToken));
        Assert.Equal(new AtxResult(AtxOutcome.NotConfirmed, PowerState.Off, PowerState.Off), result);
        Assert.False(board.IsOn);
        Assert.Equal([TimeSpan.FromMilliseconds(60)], board.PowerPresses);
    }

    [Fact]
    public async Task Off_presses_briefly_and_waits_for_the_OS_to_shut_down()
    {
        var (board, power) = Rig(on: true);
        var result = await Run(power.PowerOffAsync(TestContext.Current.CancellationToken));
        Assert.Equal(new AtxResult(AtxOutcome.Done, PowerState.On, PowerState.Off), result);
        Assert.Equal(1, board.Shutdowns);
        Assert.Equal(0, board.ForcedOffs);
    }

    [Fact]
    public async Task Off_for_a_host_that_ignores_the_button_says_so_after_the_shutdown_timeout()
    {
        var timings = AtxTimings.Default with { ShutdownTimeout = TimeSpan.FromSeconds(30) };
        var (board, power) = Rig(on: true, timings: timings);
        board.IgnoresPowerButton = true;
        var started = Time.GetUtcNow();
        var result = await Run(power.PowerOffAsync(TestContext.Current.CancellationToken));
        Assert.Equal(new AtxResult(AtxOutcome.NotConfirmed, PowerState.On, PowerState.On), result);
        Assert.InRange(Time.GetUtcNow() - started, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(31));
        Assert.True(board.IsOn);
    }

    [Fact]
    public async Task Force_off_holds_the_button_past_the_board_s_threshold()
    {
        var (board, power) = Rig(on: true);
        board.IgnoresPowerButton = true;
        var result = await Run(power.ForceOffAsync(TestContext.Current.CancellationToken));
        Assert.Equal(new AtxResult(AtxOutcome.Done, PowerState.On, PowerState.Off), result);
        Assert.Equal(1, board.ForcedOffs);
        Assert.Equal([AtxTimings.Default.LongPress], board.PowerPresses);
        Assert.False(board.PowerButtonHeld);
    }

    [Fact]
    public async Task Reset_presses_reset_on_a_running_host_and_refuses_an_off_one()
    {
        var (board, power) = Rig(on: true);
        var result = await Run(power.ResetAsync(TestContext.Current.CancellationToken));
        Assert.Equal(new AtxResult(AtxOutcome.Done, PowerState.On, PowerState.On), result);
        Assert.Equal(1, board.Resets);
        Assert.Equal([AtxTimings.Default.ResetPress], board.ResetPresses);

        await Run(power.ForceOffAsync(TestContext.Current.CancellationToken));
        var refused = await Run(power.ResetAsync(TestContext.Current.CancellationToken));
        Assert.Equal(AtxOutcome.HostOff, refused.Outcome);
        Assert.Single(board.ResetPresses);
    }

    [Fact]
    public async Task Reset_without_a_reset_line_says_so()
    {
        var (board, power) = Rig(on: true, withReset: false);
        var result = await Run(power.ResetAsync(TestContext.Current.CancellationToken));
        Assert.Equal(AtxOutcome.NoResetLine, result.Outcome);
        Assert.Equal(0, board.Resets);
    }

    [Fact]
    public async Task Cycle_forces_the_power_off_waits_and_turns_it_on()
    {
        var (board, power) = Rig(on: true);
        board.IgnoresPowerButton = true;
        var started = Time.GetUtcNow();
        var result = await Run(power.CycleAsync(TestContext.Current.CancellationToken));
        Assert.Equal(new AtxResult(AtxOutcome.Done, PowerState.On, PowerState.On), result);
        Assert.Equal(1, board.ForcedOffs);
        Assert.Equal(1, board.Boots);
        Assert.Equal([AtxTimings.Default.LongPress, AtxTimings.Default.ShortPress], board.PowerPresses);
        Assert.True(Time.GetUtcNow() - started >= AtxTimings.Default.LongPress + AtxTimings.Default.CycleOffTime);
    }

    [Fact]
    public async Task The_state_is_read_through_the_LED_s_bounces()
    {
        var (board, power) = Rig();
        Assert.Equal(PowerState.Off, await Run(power.ReadStateAsync(TestContext.Current.CancellationToken)));
        await Run(power.PowerOnAsync(TestContext.Current.CancellationToken));
        Assert.True(board.IsOn);
        // Someone at the desk presses the button: the LED goes dark, bouncing, without the controller doing anything.
        var seen = new HashSet<bool>();
        board.SetPowerButton(true);
        Wait(TimeSpan.FromMilliseconds(200));
        board.SetPowerButton(false);
        // 2 s later the OS is down and the LED goes dark, bouncing: sample the raw line then, and read the state.
        Wait(SimulatedMotherboard.ShutdownTime - TimeSpan.FromMilliseconds(10));
        for (var i = 0; i < 15; i++)
        {
            seen.Add(board.LedLit);
            Time.Advance(TimeSpan.FromMilliseconds(1));
        }
        Assert.Equal(2, seen.Count);
        Assert.Equal(PowerState.Off, await Run(power.ReadStateAsync(TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task A_glitch_shorter_than_the_debounce_does_not_change_the_state()
    {
        var (board, power) = Rig(on: true);
        Wait(TimeSpan.FromSeconds(1));
        board.Glitch(TimeSpan.FromMilliseconds(20));
        Assert.False(board.LedLit);
        Assert.Equal(PowerState.On, await Run(power.ReadStateAsync(TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task A_blinking_LED_is_an_unknown_state()
    {
        var (board, power) = Rig(on: true);
        board.Blink(TimeSpan.FromMilliseconds(30));
        Assert.Equal(PowerState.Unknown, await Run(power.ReadStateAsync(TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task Without_an_LED_line_actions_press_and_say_nobody_can_tell()
    {
        var (board, power) = Rig(withLed: false);
        Assert.Equal(PowerState.Unknown, await Run(power.ReadStateAsync(TestContext.Current.CancellationToken)));
        var result = await Run(power.PowerOnAsync(TestContext.Current.CancellationToken));
        Assert.Equal(AtxOutcome.Unconfirmed, result.Outcome);
        Wait(TimeSpan.FromSeconds(1));
        Assert.True(board.IsOn);
    }

    [Fact]
    public async Task A_cancelled_long_press_lets_the_button_go()
    {
        var (board, power) = Rig(on: true);
        board.IgnoresPowerButton = true;
        using var cancel = new CancellationTokenSource();
        var force = power.ForceOffAsync(cancel.Token);
        Wait(TimeSpan.FromSeconds(1));
        Assert.True(board.PowerButtonHeld);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => force);
        Assert.False(board.PowerButtonHeld);
        Wait(TimeSpan.FromSeconds(10));
        Assert.True(board.IsOn);
    }

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
    }
}
