using NetbootPi.Protocols.DBus;

namespace NetbootPi.Agent.Os.Systemd;

/// <summary>
/// <see cref="ISystemdManager"/> over D-Bus, talking to <c>org.freedesktop.systemd1</c>.
/// </summary>
/// <remarks>
/// It keeps one connection, subscribed to the manager's signals, and connects again on the next operation after
/// that connection failed (the bus restarted, systemd re-executed). An operation in flight when the connection
/// fails throws <see cref="DBusConnectionException"/>; it is not retried, because whether its job ran is unknown.
/// </remarks>
public sealed partial class SystemdManager : ISystemdManager, IAsyncDisposable
{
    private const string Service = "org.freedesktop.systemd1";
    private const string ManagerPath = "/org/freedesktop/systemd1";
    private const string ManagerInterface = "org.freedesktop.systemd1.Manager";
    private const string UnitInterface = "org.freedesktop.systemd1.Unit";

    private readonly Func<CancellationToken, Task<DBusConnection>> _connect;
    private readonly SystemdManagerOptions _options;
    private readonly SemaphoreSlim _sessionLock = new(1, 1);
    private Session? _session;
    private bool _disposed;

    /// <param name="connect">Opens a new connection to the bus systemd is on; called again after a failure.</param>
    public SystemdManager(Func<CancellationToken, Task<DBusConnection>> connect, SystemdManagerOptions? options = null)
    {
        _connect = connect;
        _options = options ?? new SystemdManagerOptions();
    }

    /// <summary>The system manager (PID 1) on the system bus.</summary>
    public static SystemdManager ForSystemBus(SystemdManagerOptions? options = null)
    {
        var connectionOptions = new DBusConnectionOptions { TimeProvider = (options ?? new()).TimeProvider };
        return new SystemdManager(ct => DBusConnection.ConnectAsync(DBusAddress.SystemBus, connectionOptions, ct), options);
    }

    public Task StartUnitAsync(string unit, CancellationToken cancellationToken = default) =>
        RunJobAsync("start", "StartUnit", unit, cancellationToken);

    public Task StopUnitAsync(string unit, CancellationToken cancellationToken = default) =>
        RunJobAsync("stop", "StopUnit", unit, cancellationToken);

    public Task RestartUnitAsync(string unit, CancellationToken cancellationToken = default) =>
        RunJobAsync("restart", "RestartUnit", unit, cancellationToken);

    public Task ReloadOrRestartUnitAsync(string unit, CancellationToken cancellationToken = default) =>
        RunJobAsync("reload-or-restart", "ReloadOrRestartUnit", unit, cancellationToken);

    public async Task<UnitState> GetUnitStateAsync(string unit, CancellationToken cancellationToken = default)
    {
        var session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        string path;
        try
        {
            // LoadUnit, unlike GetUnit, also answers for a unit that is not loaded (yet), e.g. never started.
            var call = MessageWriter.CreateMethodCall(Service, ManagerPath, ManagerInterface, "LoadUnit", "s");
            call.WriteString(unit);
            using var reply = await session.Connection.CallAsync(call.CreateMessage(), cancellationToken: cancellationToken).ConfigureAwait(false);
            path = reply.GetBodyReader().ReadObjectPath();
        }
        catch (DBusErrorException e)
        {
            throw Refused("read the state of", "state", unit, e);
        }
        string load = await GetStringPropertyAsync(session, path, "LoadState", cancellationToken).ConfigureAwait(false);
        string active = await GetStringPropertyAsync(session, path, "ActiveState", cancellationToken).ConfigureAwait(false);
        string sub = await GetStringPropertyAsync(session, path, "SubState", cancellationToken).ConfigureAwait(false);
        return new UnitState(load, active, sub);
    }

    public async Task<IReadOnlyList<UnitFileChange>> EnableUnitFilesAsync(IReadOnlyList<string> unitFiles,
        CancellationToken cancellationToken = default)
    {
        // EnableUnitFiles(as files, b runtime, b force) -> (b carries_install_info, a(sss) changes)
        var call = MessageWriter.CreateMethodCall(Service, ManagerPath, ManagerInterface, "EnableUnitFiles", "asbb");
        WriteStrings(ref call, unitFiles);
        call.WriteBoolean(false);
        call.WriteBoolean(false);
        using var reply = await CallUnitFilesAsync("enable", unitFiles, call.CreateMessage(), cancellationToken).ConfigureAwait(false);
        var reader = reply.GetBodyReader();
        reader.ReadBoolean();
        return ReadChanges(ref reader);
    }

    public async Task<IReadOnlyList<UnitFileChange>> DisableUnitFilesAsync(IReadOnlyList<string> unitFiles,
        CancellationToken cancellationToken = default)
    {
        // DisableUnitFiles(as files, b runtime) -> (a(sss) changes)
        var call = MessageWriter.CreateMethodCall(Service, ManagerPath, ManagerInterface, "DisableUnitFiles", "asb");
        WriteStrings(ref call, unitFiles);
        call.WriteBoolean(false);
        using var reply = await CallUnitFilesAsync("disable", unitFiles, call.CreateMessage(), cancellationToken).ConfigureAwait(false);
        var reader = reply.GetBodyReader();
        return ReadChanges(ref reader);
    }

    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        var session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var call = MessageWriter.CreateMethodCall(Service, ManagerPath, ManagerInterface, "Reload");
            // A reload re-reads every unit file: allow it the job timeout rather than the usual call timeout.
            using var reply = await session.Connection.CallAsync(call.CreateMessage(), _options.JobTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (DBusErrorException e)
        {
            throw new SystemdException("daemon-reload", "", $"systemd refused daemon-reload: {e.ErrorName}: {e.ErrorMessage}",
                errorName: e.ErrorName, inner: e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _sessionLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_session is not null) await _session.DisposeAsync().ConfigureAwait(false);
            _session = null;
        }
        finally
        {
            _sessionLock.Release();
        }
    }

    private async Task<string> GetStringPropertyAsync(Session session, string path, string property, CancellationToken cancellationToken)
    {
        // org.freedesktop.DBus.Properties.Get(s interface, s property) -> (v value)
        var call = MessageWriter.CreateMethodCall(Service, path, "org.freedesktop.DBus.Properties", "Get", "ss");
        call.WriteString(UnitInterface);
        call.WriteString(property);
        using var reply = await session.Connection.CallAsync(call.CreateMessage(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var reader = reply.GetBodyReader();
        var signature = reader.ReadVariantSignature();
        if (signature.Length != 1 || signature[0] != DBusType.String)
            throw new DBusProtocolException($"systemd returned {property} of {path} as '{System.Text.Encoding.ASCII.GetString(signature)}', not a string");
        return reader.ReadString();
    }

    private static void WriteStrings(ref MessageWriter writer, IReadOnlyList<string> values)
    {
        var array = writer.WriteArrayStart(DBusType.String);
        foreach (var value in values) writer.WriteString(value);
        writer.WriteArrayEnd(array);
    }

    private static List<UnitFileChange> ReadChanges(ref MessageReader reader)
    {
        var changes = new List<UnitFileChange>();
        int end = reader.ReadArrayStart(DBusType.StructBegin);
        while (reader.HasNext(end))
        {
            reader.AlignStruct();
            changes.Add(new UnitFileChange(reader.ReadString(), reader.ReadString(), reader.ReadString()));
        }
        return changes;
    }

    private async Task<DBusMessage> CallUnitFilesAsync(string operation, IReadOnlyList<string> unitFiles, MessageBuffer call,
        CancellationToken cancellationToken)
    {
        string units = string.Join(", ", unitFiles);
        try
        {
            var session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
            return await session.Connection.CallAsync(call, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (DBusErrorException e)
        {
            throw Refused(operation, operation, units, e);
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }

    private static SystemdException Refused(string verb, string operation, string unit, DBusErrorException e) =>
        new(operation, unit, $"systemd refused to {verb} {unit}: {e.ErrorName}: {e.ErrorMessage}", errorName: e.ErrorName, inner: e);
}
