namespace NetbootPi.Hardware.Power;

/// <summary>
/// Which lines of a <see cref="System.Device.Gpio.GpioController"/> a host's ATX front panel is wired to. Pin numbers
/// are the controller's own: BCM GPIO numbers on the Pi's header, 0-15 (GPA0-7, GPB0-7) on an MCP23017.
/// </summary>
/// <param name="PowerPin">Drives the power button (through an optocoupler or a relay across the PWR_SW header).</param>
/// <param name="ResetPin">Drives the reset button; null when it is not wired.</param>
/// <param name="LedPin">Senses the power LED (through an optocoupler across the PLED header); null when not wired.</param>
/// <param name="PressActiveLow">The button is pressed while the output is low (an inverting driver or a low-active relay board).</param>
/// <param name="LedActiveLow">The line reads low while the LED is lit: an optocoupler's transistor pulling the input to
/// ground against the pull-up, the usual wiring. The pull-up is enabled then.</param>
public sealed record AtxLines(int PowerPin, int? ResetPin, int? LedPin, bool PressActiveLow = false, bool LedActiveLow = true);
