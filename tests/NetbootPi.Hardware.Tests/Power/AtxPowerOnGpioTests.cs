using System.Device.Gpio;

namespace NetbootPi.Hardware.Tests.Power;

/// <summary>The front panel on the Pi's own lines (BCM numbers, as a site file gives them).</summary>
public sealed class AtxPowerOnGpioTests : AtxPowerContract
{
    private protected override (int Power, int Reset, int Led) Lines => (17, 27, 22);

    private protected override GpioController Connect(FrontPanelWiring wiring) => new(new SimulatedGpioDriver(wiring));
}
