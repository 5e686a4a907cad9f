using NetbootPi.Agent.Os.DBus;
using Tmds.DBus.Protocol;

namespace NetbootPi.Agent.Os.Systemd;

/// <summary>
/// <see cref="ISystemdManager"/> over D-Bus (Tmds.DBus.Protocol), talking to <c>org.freedesktop.systemd1</c>
/// through <see cref="SystemdManagerProxy"/> and <see cref="SystemdUnitProxy"/>.
/// </summary>
/// <remarks>
/// It keeps one connection, subscribed to the manager's JobRemoved signal, and connects again on the next
/// operation after that connection ended (the bus restarted, systemd re-executed). An operation in flight when the
/// connection ends throws <see cref="SystemdException"/> saying so; it is not retried, because whether its job ran
/// is unknown.
/// </remarks>
public sealed partial class SystemdManager : ISystemdManager, IAsyncDisposable
{
    private readonly Func<CancellationToken, Task<DBusConnection>> _connect;
    private readonly string _where;
    private readonly SystemdManagerOptions _options;
    private readonly SemaphoreSlim _sessionLock = new(1, 1);
    private Session? _session;
    private bool _disposed;

    /// <summary>systemd on the bus at a D-Bus address (not its private peer-to-peer socket: see <see cref="DBusConnector"/>).</summary>
    public SystemdManager(string address, SystemdManagerOptions? options = null)
        : this(ct => DBusConnector.ConnectAsync(address, Options(options).CallTimeout, Options(options).TimeProvider, ct), options, address)
    {
    }

    /// <param name="connect">Opens a new connection to systemd; called again after a connection ended.</param>
    /// <param name="options">How long to wait.</param>
    /// <param name="where">The address, for error messages.</param>
    public SystemdManager(Func<CancellationToken, Task<DBusConnection>> connect, SystemdManagerOptions? options = null, string? where = null)
    {
        _connect = connect;
        _options = Options(options);
        _where = where ?? "its D-Bus connection";
    }

    /// <summary>The system manager (PID 1) on the system bus ($DBUS_SYSTEM_BUS_ADDRESS, else /run/dbus/system_bus_socket).</summary>
    public static SystemdManager ForSystemBus(SystemdManagerOptions? options = null) =>
        new(DBusAddress.System ?? "unix:path=/run/dbus/system_bus_socket", options);

    private static SystemdManagerOptions Options(SystemdManagerOptions? options) => options ?? new SystemdManagerOptions();

    public Task StartUnitAsync(string unit, CancellationToken cancellationToken = default) =>
        RunJobAsync("start", unit, static (m, u) => m.StartUnitAsync(u, "replace"), cancellationToken);

    public Task StartTransientUnitAsync(string unit, IReadOnlyList<UnitProperty> properties, CancellationToken cancellationToken = default) =>
        RunJobAsync("start-transient", unit, (m, u) => m.StartTransientUnitAsync(u, "fail", properties), cancellationToken);

    public async Task ResetFailedUnitAsync(string unit, CancellationToken cancellationToken = default)
    {
        var session = await GetSessionAsync("reset-failed", unit, cancellationToken).ConfigureAwait(false);
        try
        {
            await CallAsync(session.Manager.ResetFailedUnitAsync(unit), _options.CallTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate("reset the failed state of", "reset-failed", unit, e) is { } translated)
        {
            throw translated;
        }
    }

    public Task StopUnitAsync(string unit, CancellationToken cancellationToken = default) =>
        RunJobAsync("stop", unit, static (m, u) => m.StopUnitAsync(u, "replace"), cancellationToken);

    public Task RestartUnitAsync(string unit, CancellationToken cancellationToken = default) =>
        RunJobAsync("restart", unit, static (m, u) => m.RestartUnitAsync(u, "replace"), cancellationToken);

    public Task ReloadOrRestartUnitAsync(string unit, CancellationToken cancellationToken = default) =>
        RunJobAsync("reload-or-restart", unit, static (m, u) => m.ReloadOrRestartUnitAsync(u, "replace"), cancellationToken);

    public async Task<UnitState> GetUnitStateAsync(string unit, CancellationToken cancellationToken = default)
    {
        var session = await GetSessionAsync("state", unit, cancellationToken).ConfigureAwait(false);
        try
        {
            // LoadUnit, unlike GetUnit, also answers for a unit that is not loaded (yet), e.g. never started.
            var path = await CallAsync(session.Manager.LoadUnitAsync(unit), _options.CallTimeout, cancellationToken).ConfigureAwait(false);
            var states = await CallAsync(new SystemdUnitProxy(session.Connection, path).GetStatesAsync(),
                _options.CallTimeout, cancellationToken).ConfigureAwait(false);
            return new UnitState(states.LoadState, states.ActiveState, states.SubState);
        }
        catch (Exception e) when (Translate("read the state of", "state", unit, e) is { } translated)
        {
            throw translated;
        }
    }

    public async Task<IReadOnlyList<UnitFileChange>> EnableUnitFilesAsync(IReadOnlyList<string> unitFiles,
        CancellationToken cancellationToken = default)
    {
        string units = string.Join(", ", unitFiles);
        var session = await GetSessionAsync("enable", units, cancellationToken).ConfigureAwait(false);
        try
        {
            var reply = await CallAsync(session.Manager.EnableUnitFilesAsync(unitFiles, runtime: false, force: false),
                _options.CallTimeout, cancellationToken).ConfigureAwait(false);
            return [.. reply.Changes.Select(c => new UnitFileChange(c.Type, c.FileName, c.Destination))];
        }
        catch (Exception e) when (Translate("enable", "enable", units, e) is { } translated)
        {
            throw translated;
        }
    }

    public async Task<IReadOnlyList<UnitFileChange>> DisableUnitFilesAsync(IReadOnlyList<string> unitFiles,
        CancellationToken cancellationToken = default)
    {
        string units = string.Join(", ", unitFiles);
        var session = await GetSessionAsync("disable", units, cancellationToken).ConfigureAwait(false);
        try
        {
            var changes = await CallAsync(session.Manager.DisableUnitFilesAsync(unitFiles, runtime: false),
                _options.CallTimeout, cancellationToken).ConfigureAwait(false);
            return [.. changes.Select(c => new UnitFileChange(c.Type, c.FileName, c.Destination))];
        }
        catch (Exception e) when (Translate("disable", "disable", units, e) is { } translated)
        {
            throw translated;
        }
    }

    public async Task RebootAsync(CancellationToken cancellationToken = default)
    {
        const string target = "reboot.target";
        var session = await GetSessionAsync("reboot", target, cancellationToken).ConfigureAwait(false);
        try
        {
            // Not waited for: the job's end is the box going down, connection and all.
            await CallAsync(session.Manager.StartUnitAsync(target, "replace-irreversibly"), _options.CallTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (Translate("reboot", "reboot", target, e) is { } translated)
        {
            throw translated;
        }
    }

    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        var session = await GetSessionAsync("daemon-reload", "", cancellationToken).ConfigureAwait(false);
        try
        {
            // A reload re-reads every unit file: allow it the job timeout rather than the call timeout.
            await CallAsync(session.Manager.ReloadAsync(), _options.JobTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate("daemon-reload", "daemon-reload", "", e, _options.JobTimeout) is { } translated)
        {
            throw translated;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _sessionLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            _session?.Dispose();
            _session = null;
        }
        finally
        {
            _sessionLock.Release();
        }
    }

    // The library's calls take no token and no timeout: a reply that never comes would wait until the connection
    // ends. The wait is bounded here; the call itself stays with systemd.
    private async Task<T> CallAsync<T>(Task<T> call, TimeSpan timeout, CancellationToken cancellationToken) =>
        await call.WaitAsync(timeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);

    private async Task CallAsync(Task call, TimeSpan timeout, CancellationToken cancellationToken) =>
        await call.WaitAsync(timeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The exception people read for a failed call: systemd's refusal with its error name, a lost connection, or
    /// no answer in time; null (rethrow as is) for cancellation and bugs.
    /// </summary>
    private SystemdException? Translate(string verb, string operation, string unit, Exception e, TimeSpan? timeout = null)
    {
        string what = unit.Length > 0 ? $"{verb} {unit}" : verb;
        return e switch
        {
            DBusErrorReplyException reply => new SystemdException(operation, unit,
                $"systemd refused to {what}: {reply.ErrorName}: {reply.ErrorMessage}", errorName: reply.ErrorName, inner: e),
            DBusConnectionException => new SystemdException(operation, unit,
                $"the D-Bus connection to systemd ({_where}) ended before systemd answered to {what}: {e.Message} " +
                "(check: is dbus running, did systemd re-execute? the next operation connects again)", inner: e),
            TimeoutException => new SystemdException(operation, unit,
                $"systemd did not answer to {what} within {(timeout ?? _options.CallTimeout).TotalSeconds:0} s (check: systemctl status; journalctl -b)",
                inner: e),
            DBusMessageException => new SystemdException(operation, unit,
                $"systemd's answer to {what} was not what {nameof(SystemdManager)} reads: {e.Message}", inner: e),
            _ => null,
        };
    }
}
