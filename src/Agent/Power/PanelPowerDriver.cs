using System.Device.Gpio;
using System.Device.I2c;
using NetbootPi.Agent.Site;
using NetbootPi.Hardware.Power;

namespace NetbootPi.Agent.Power;

/// <summary>A host's front panel (power and reset buttons, power LED) on the Pi's GPIO or an MCP230xx expander.</summary>
public sealed class PanelPowerDriver : IHostPowerDriver
{
    private readonly GpioController _gpio;
    private readonly AtxPower _panel;
    private readonly string _where;

    /// <summary>Wraps a controller the caller opened (tests: a simulated chip); disposing closes it.</summary>
    public PanelPowerDriver(GpioController gpio, HostPower power, TimeProvider time)
    {
        _gpio = gpio;
        _where = power.Controller;
        _panel = new AtxPower(gpio, power.Lines!, power.Timings, time);
    }

    /// <summary>Opens the controller <paramref name="power"/> names: the Pi's GPIO chip, or the expander on its I²C bus.</summary>
    public static PanelPowerDriver Open(HostPower power, TimeProvider time)
    {
        GpioController gpio;
        try
        {
            if (power.Driver == PowerDriver.Gpio) gpio = new GpioController();
            else
            {
                var chip = power.Driver == PowerDriver.Mcp23017 ? ExpanderChip.Mcp23017 : ExpanderChip.Mcp23008;
                var lines = power.Lines!;
                var released = lines.PressActiveLow;
                var buttons = lines.ResetPin is { } r ? new[] { (lines.PowerPin, released), (r, released) } : [(lines.PowerPin, released)];
                gpio = AtxExpander.Open(I2cDevice.Create(new I2cConnectionSettings(power.Bus, power.Address)), chip, buttons);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException or InvalidOperationException)
        {
            var check = power.Driver == PowerDriver.Gpio
                ? "is this a Raspberry Pi, and may the agent open /dev/gpiochip0?"
                : $"is I2C enabled (dtparam=i2c_arm=on in config.txt), /dev/i2c-{power.Bus} there, and the chip at 0x{power.Address:x2} (i2cdetect -y {power.Bus})?";
            throw new PowerException($"cannot open {power.Controller}: {e.Message} ({check})", e);
        }
        return new PanelPowerDriver(gpio, power, time);
    }

    public async Task<PowerReply> RunAsync(PowerAction action, CancellationToken cancellation)
    {
        if (action == PowerAction.Status)
        {
            var state = await _panel.ReadStateAsync(cancellation).ConfigureAwait(false);
            return new PowerReply(true, state, state switch
            {
                PowerState.On => "on (power LED lit)",
                PowerState.Off => "off (power LED dark)",
                _ => _panel.Lines.LedPin is null ? "unknown: no led_pin is wired" : "unknown: the power LED blinks or flickers (standby?)",
            });
        }
        var result = action switch
        {
            PowerAction.On => await _panel.PowerOnAsync(cancellation).ConfigureAwait(false),
            PowerAction.Off => await _panel.PowerOffAsync(cancellation).ConfigureAwait(false),
            PowerAction.ForceOff => await _panel.ForceOffAsync(cancellation).ConfigureAwait(false),
            PowerAction.Cycle => await _panel.CycleAsync(cancellation).ConfigureAwait(false),
            _ => await _panel.ResetAsync(cancellation).ConfigureAwait(false),
        };
        return new PowerReply(result.Succeeded, result.After, Describe(action, result));
    }

    private string Describe(PowerAction action, AtxResult r) => r.Outcome switch
    {
        AtxOutcome.AlreadyThere => $"already {Name(r.After)}: nothing pressed",
        AtxOutcome.Done => action switch
        {
            PowerAction.Reset => "reset pressed; the power LED is still lit",
            PowerAction.Cycle => "cycled: forced off, then on (power LED lit)",
            _ => $"{Name(r.After)} (power LED {(r.After == PowerState.On ? "lit" : "dark")})",
        },
        AtxOutcome.Unconfirmed => "pressed; no led_pin is wired, so nothing can tell what the host did",
        AtxOutcome.NoResetLine => "no reset_pin is wired (use cycle)",
        AtxOutcome.HostOff => "the host is off: a reset press does nothing (use on)",
        _ => action == PowerAction.Off
            ? $"pressed, but the host is still {Name(r.After)}: its OS did not shut down (off --force holds the button)"
            : $"pressed, but the power LED shows {Name(r.After)}: check the wiring on {_where} and the press times",
    };

    private static string Name(PowerState s) => s switch { PowerState.On => "on", PowerState.Off => "off", _ => "unknown" };

    public void Dispose()
    {
        _panel.Dispose();
        _gpio.Dispose();
    }
}
