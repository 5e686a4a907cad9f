using System.Device.Gpio;
using Iot.Device.Mcp23xxx;
using NetbootPi.Hardware.Power;

namespace NetbootPi.Hardware.Tests.Power;

/// <summary>
/// The front panel on an MCP23017's lines through Iot.Device.Bindings' <see cref="Mcp23017"/>, the chip simulated at
/// its I²C registers: power on GPA7, reset on GPB0, LED on GPB6 (both ports are used).
/// </summary>
public sealed class AtxPowerOnMcp23017Tests : AtxPowerContract
{
    private protected override (int Power, int Reset, int Led) Lines => (7, 8, 14);

    private protected override GpioController Connect(FrontPanelWiring wiring) =>
        AtxExpander.Open(new SimulatedMcp230xx(wiring, ports: 2), ExpanderChip.Mcp23017,
            [(Lines.Power, wiring.PressActiveLow), (Lines.Reset, wiring.PressActiveLow)]);
}
