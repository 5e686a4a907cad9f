namespace NetbootPi.Hardware.Watchdog;

/// <summary>A watchdog device that cannot be opened or refuses a request; the message names the device and what to check.</summary>
public sealed class WatchdogException(string message, int errno = 0) : Exception(message)
{
    /// <summary>The errno behind it, or 0.</summary>
    public int Errno { get; } = errno;
}
