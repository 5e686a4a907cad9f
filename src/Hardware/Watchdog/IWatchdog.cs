namespace NetbootPi.Hardware.Watchdog;

/// <summary>
/// A hardware (or kernel) watchdog held open by the agent: it resets the board unless petted within its timeout.
/// </summary>
/// <remarks>
/// The semantics are the kernel's (Documentation/watchdog/watchdog-api.rst): opening arms it; <see cref="Keepalive"/>
/// restarts the count; <see cref="Disarm"/> is the clean stop (the magic close where the driver has it);
/// <see cref="IDisposable.Dispose"/> alone is what a crash does: a driver with magic close keeps counting and
/// resets the board, one without it stops (unless it was built with nowayout).
/// </remarks>
public interface IWatchdog : IDisposable
{
    WatchdogInfo Info { get; }

    /// <summary>The time the board is given between two pets.</summary>
    TimeSpan Timeout { get; }

    /// <summary>Asks for <paramref name="timeout"/> (whole seconds); returns what the driver set, which it may round or cap.</summary>
    TimeSpan SetTimeout(TimeSpan timeout);

    /// <summary>Restarts the count.</summary>
    void Keepalive();

    /// <summary>The clean stop: stops the watchdog where the driver allows it, and closes it.</summary>
    WatchdogRelease Disarm();
}
