namespace NetbootPi.Hardware.Watchdog;

/// <summary>A watchdog device as its driver describes it (WDIOC_GETSUPPORT).</summary>
/// <param name="Identity">The driver's name for the device, e.g. "i6300ESB timer" or "Software Watchdog".</param>
public sealed record WatchdogInfo(string Identity, uint FirmwareVersion, WatchdogCapabilities Capabilities)
{
    public bool HasMagicClose => Capabilities.HasFlag(WatchdogCapabilities.MagicClose);
    public bool CanSetTimeout => Capabilities.HasFlag(WatchdogCapabilities.SetTimeout);
}
