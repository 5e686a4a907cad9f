namespace NetbootPi.Agent.Os.Systemd;

/// <summary>How <see cref="SystemdManager"/> waits.</summary>
public sealed record SystemdManagerOptions
{
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// How long to wait for a unit's job. systemd ends a start that hangs after the unit's own TimeoutStartSec
    /// (90 s by default) with result "timeout"; this only guards against a job that never reports.
    /// </summary>
    public TimeSpan JobTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long to wait for systemd's reply to a call (the D-Bus reference implementation's default is 25 s);
    /// daemon-reload gets <see cref="JobTimeout"/>.
    /// </summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(25);
}
