using System.Device.Gpio;
using Iot.Device.Mcp23xxx;
using NetbootPi.Hardware.Power;

namespace NetbootPi.Hardware.Tests.Power;

/// <summary>The front panel on an MCP23008's lines through the bindings' <see cref="Mcp23008"/>, simulated at its registers.</summary>
public sealed class AtxPowerOnMcp23008Tests : AtxPowerContract
{
    private protected override (int Power, int Reset, int Led) Lines => (0, 1, 5);

    private protected override GpioController Connect(FrontPanelWiring wiring) =>
        AtxExpander.Open(new SimulatedMcp230xx(wiring, ports: 1), ExpanderChip.Mcp23008,
            [(Lines.Power, wiring.PressActiveLow), (Lines.Reset, wiring.PressActiveLow)]);
}
