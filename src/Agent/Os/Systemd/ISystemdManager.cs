namespace NetbootPi.Agent.Os.Systemd;

/// <summary>
/// Controls systemd units: the one way appliers start, stop and reconfigure services (wg-quick@, netctl@,
/// systemd-networkd, the NFS server, ustreamer/kvmd, the agent itself).
/// </summary>
/// <remarks>
/// Unit operations return when systemd's job for them has finished, and throw <see cref="SystemdException"/>
/// naming the unit when the job did not succeed, systemd refused the request (with its D-Bus error name), or the
/// connection to systemd ended or timed out first (then whether the job ran is unknown). Cancelling an operation
/// stops the wait, not systemd's job.
/// </remarks>
public interface ISystemdManager
{
    /// <summary>Starts the unit (job mode "replace") and waits for the start job.</summary>
    Task StartUnitAsync(string unit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes a transient unit of <paramref name="properties"/> (a unit with no file, gone once it stops and is
    /// collected) and starts it (job mode "fail"), waiting for the start job. systemd refuses a name that is loaded
    /// already (org.freedesktop.systemd1.UnitExists): stop the old one first.
    /// </summary>
    Task StartTransientUnitAsync(string unit, IReadOnlyList<UnitProperty> properties, CancellationToken cancellationToken = default);

    /// <summary>Forgets a unit's failed state (<c>systemctl reset-failed</c>); a failed transient unit is then unloaded.</summary>
    Task ResetFailedUnitAsync(string unit, CancellationToken cancellationToken = default);

    /// <summary>Stops the unit and waits for the stop job.</summary>
    Task StopUnitAsync(string unit, CancellationToken cancellationToken = default);

    /// <summary>Restarts the unit (starting it if it was not running) and waits for the job.</summary>
    Task RestartUnitAsync(string unit, CancellationToken cancellationToken = default);

    /// <summary>Reloads the unit if it supports reloading, else restarts it; starts it if it was not running.</summary>
    Task ReloadOrRestartUnitAsync(string unit, CancellationToken cancellationToken = default);

    /// <summary>The unit's load, active and sub state now (a unit without a file reads "not-found"/"inactive"/"dead").</summary>
    Task<UnitState> GetUnitStateAsync(string unit, CancellationToken cancellationToken = default);

    /// <summary>Enables unit files (names or absolute paths) per their [Install] sections; returns the symlinks made.</summary>
    Task<IReadOnlyList<UnitFileChange>> EnableUnitFilesAsync(IReadOnlyList<string> unitFiles, CancellationToken cancellationToken = default);

    /// <summary>Disables unit files; returns the symlinks removed.</summary>
    Task<IReadOnlyList<UnitFileChange>> DisableUnitFilesAsync(IReadOnlyList<string> unitFiles, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reboots the box: starts <c>reboot.target</c> (job mode "replace-irreversibly", as <c>systemctl reboot</c>
    /// does) and returns once systemd has queued the job; the box then goes down in systemd's own order.
    /// </summary>
    Task RebootAsync(CancellationToken cancellationToken = default);

    /// <summary>Reloads all unit files (<c>systemctl daemon-reload</c>); returns when the reload is done.</summary>
    Task ReloadAsync(CancellationToken cancellationToken = default);
}
