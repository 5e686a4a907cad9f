using NetbootPi.Hardware.Watchdog;

namespace NetbootPi.Agent.Devices;

/// <summary>Which watchdogs the agent pets.</summary>
/// <param name="SystemdInterval">systemd's WatchdogSec= for this process (WATCHDOG_USEC), or null.</param>
/// <param name="Device">A watchdog device the agent holds itself (direct mode), or null.</param>
/// <param name="DeviceTimeout">The timeout asked of that device (the driver may round or cap it).</param>
/// <param name="Opener">Opens a device; the real driver unless a test gives a simulated one.</param>
public sealed record WatchdogOptions(TimeSpan? SystemdInterval, string? Device, TimeSpan DeviceTimeout, Func<string, IWatchdog>? Opener = null)
{
    /// <summary>15 s: the most a Raspberry Pi's bcm2835_wdt allows.</summary>
    public static readonly TimeSpan DefaultDeviceTimeout = TimeSpan.FromSeconds(15);

    public IWatchdog Open(string device) => Opener is { } open ? open(device) : LinuxWatchdog.Open(device);
}
