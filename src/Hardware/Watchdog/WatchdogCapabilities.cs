namespace NetbootPi.Hardware.Watchdog;

/// <summary>What a watchdog driver says it can do: the <c>WDIOF_*</c> flags of include/uapi/linux/watchdog.h.</summary>
[Flags]
public enum WatchdogCapabilities : uint
{
    None = 0,
    Overheat = 0x0001,
    FanFault = 0x0002,
    ExternalPower1 = 0x0004,
    ExternalPower2 = 0x0008,
    PowerUnder = 0x0010,
    CardReset = 0x0020,
    PowerOver = 0x0040,
    /// <summary>The timeout can be changed (WDIOC_SETTIMEOUT).</summary>
    SetTimeout = 0x0080,
    /// <summary>Writing 'V' before closing stops the watchdog; closing without it leaves it running.</summary>
    MagicClose = 0x0100,
    PreTimeout = 0x0200,
    AlarmOnly = 0x0400,
    /// <summary>WDIOC_KEEPALIVE pets it.</summary>
    KeepalivePing = 0x8000,
}
