namespace NetbootPi.Hardware.Watchdog;

/// <summary>What became of the watchdog when the agent let go of it on a clean stop.</summary>
public enum WatchdogRelease
{
    /// <summary>The driver stopped it: the board is not reset.</summary>
    Stopped,
    /// <summary>
    /// It keeps counting and resets the board unless someone opens and pets it again: the driver was built (or
    /// loaded) with nowayout, which no close can undo.
    /// </summary>
    StillRunning,
}
