using System.Device.Gpio;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Hardware.Power;
using NetbootPi.Hardware.Tests.Power;

namespace NetbootPi.Agent.Tests.Power;

/// <summary>
/// The front-panel driver as <c>netbootpi power</c> runs it, with the site's wiring, on a simulated GPIO chip
/// wired to a simulated motherboard (tests/NetbootPi.Hardware.Tests/Power), on a fake clock.
/// </summary>
public sealed class PanelPowerDriverTests : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly SimulatedMotherboard _board;
    private readonly PanelPowerDriver _driver;

    public PanelPowerDriverTests()
    {
        var site = SiteText.Load(SiteText.Minimal.WithLine(15, "  a: { mac: 00:00:00:00:00:01, ip: 10.0.0.10, power: { driver: gpio, power_pin: 17, reset_pin: 27, led_pin: 22 } }"));
        Assert.Empty(site.Errors);
        var power = site.Inventory!.FindHost("a")!.Power!;
        _board = new SimulatedMotherboard(_time);
        var gpio = new GpioController(new SimulatedGpioDriver(new FrontPanelWiring(_board, 17, 27, 22)));
        _driver = new PanelPowerDriver(gpio, power, _time);
    }

    private async Task<PowerReply> Run(PowerAction action)
    {
        var task = _driver.RunAsync(action, TestContext.Current.CancellationToken);
        for (var i = 0; i < 360_000 && !task.IsCompleted; i++) _time.Advance(Step);
        return await task;
    }

    [Fact]
    public async Task Each_action_reaches_the_board_and_says_what_the_LED_shows()
    {
        Assert.Equal(new PowerReply(true, PowerState.Off, "off (power LED dark)"), await Run(PowerAction.Status));
        Assert.Equal(new PowerReply(true, PowerState.On, "on (power LED lit)"), await Run(PowerAction.On));
        Assert.Equal(new PowerReply(true, PowerState.On, "already on: nothing pressed"), await Run(PowerAction.On));
        Assert.Equal(new PowerReply(true, PowerState.On, "reset pressed; the power LED is still lit"), await Run(PowerAction.Reset));
        Assert.Equal(new PowerReply(true, PowerState.On, "cycled: forced off, then on (power LED lit)"), await Run(PowerAction.Cycle));
        Assert.Equal(new PowerReply(true, PowerState.Off, "off (power LED dark)"), await Run(PowerAction.Off));
        Assert.Equal((1, 1, 1, 2), (_board.Resets, _board.ForcedOffs, _board.Shutdowns, _board.Boots));
        Assert.Equal(new PowerReply(false, PowerState.Off, "the host is off: a reset press does nothing (use on)"), await Run(PowerAction.Reset));
    }

    [Fact]
    public async Task An_OS_that_ignores_the_button_is_reported_with_what_to_do()
    {
        await Run(PowerAction.On);
        _board.IgnoresPowerButton = true;
        Assert.Equal(new PowerReply(false, PowerState.On, "pressed, but the host is still on: its OS did not shut down (off --force holds the button)"), await Run(PowerAction.Off));
        Assert.Equal(new PowerReply(true, PowerState.Off, "off (power LED dark)"), await Run(PowerAction.ForceOff));
    }

    public void Dispose()
    {
        _driver.Dispose();
        _board.Dispose();
    }
}
