using NetbootPi.Protocols.DBus;

namespace NetbootPi.Agent.Os.Systemd;

public sealed partial class SystemdManager
{
    // StartUnit/StopUnit/RestartUnit/ReloadOrRestartUnit(s name, s mode) -> (o job); the job's end is announced
    // by JobRemoved(u id, o job, s unit, s result).
    private async Task RunJobAsync(string operation, string method, string unit, CancellationToken cancellationToken)
    {
        var session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        using var waiter = session.Jobs.Begin();
        try
        {
            var call = MessageWriter.CreateMethodCall(Service, ManagerPath, ManagerInterface, method, "ss");
            call.WriteString(unit);
            call.WriteString("replace");
            using var reply = await session.Connection.CallAsync(call.CreateMessage(), cancellationToken: cancellationToken).ConfigureAwait(false);
            waiter.SetJobPath(reply.GetBodyReader().ReadObjectPath());
        }
        catch (DBusErrorException e)
        {
            throw Refused(operation, operation, unit, e);
        }

        string result;
        try
        {
            result = await waiter.Result.Task.WaitAsync(_options.JobTimeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new SystemdException(operation, unit,
                $"the {operation} job for {unit} did not finish within {_options.JobTimeout.TotalSeconds:0} s", inner: e);
        }
        // "skipped": the job did not apply to the unit's state (e.g. a reload of a stopped unit); not a failure.
        if (result is "done" or "skipped") return;
        throw new SystemdException(operation, unit,
            $"the {operation} job for {unit} ended with '{result}' (check: systemctl status {unit}; journalctl -u {unit})",
            jobResult: result);
    }

    private async Task<Session> GetSessionAsync(CancellationToken cancellationToken)
    {
        await _sessionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_session is { Connection.IsConnected: true }) return _session;
            if (_session is not null) await _session.DisposeAsync().ConfigureAwait(false);
            _session = null;
            _session = await Session.OpenAsync(_connect, cancellationToken).ConfigureAwait(false);
            return _session;
        }
        finally
        {
            _sessionLock.Release();
        }
    }

    /// <summary>One connection with its JobRemoved subscription and the operations waiting on it.</summary>
    private sealed class Session : IAsyncDisposable
    {
        private SignalSubscription? _subscription;

        private Session(DBusConnection connection) => Connection = connection;

        public DBusConnection Connection { get; }

        public JobTracker Jobs { get; } = new();

        public static async Task<Session> OpenAsync(Func<CancellationToken, Task<DBusConnection>> connect, CancellationToken cancellationToken)
        {
            var connection = await connect(cancellationToken).ConfigureAwait(false);
            var session = new Session(connection);
            try
            {
                session._subscription = await connection.AddMatchAsync(
                    new MatchRule { Sender = Service, Interface = ManagerInterface, Member = "JobRemoved", Path = ManagerPath },
                    session.OnJobRemoved, cancellationToken).ConfigureAwait(false);
                // systemd sends its signals only once some client has called Subscribe.
                using var reply = await connection.CallAsync(
                    MessageWriter.CreateMethodCall(Service, ManagerPath, ManagerInterface, "Subscribe").CreateMessage(),
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                _ = connection.Completion.ContinueWith(
                    t => session.Jobs.FailAll(new DBusConnectionException(
                        $"the D-Bus connection to systemd ({connection.Description}) closed while waiting for a job", t.Exception?.InnerException)),
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                return session;
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        private void OnJobRemoved(DBusMessage signal)
        {
            if (signal.Signature != "uoss") return;
            var reader = signal.GetBodyReader();
            reader.ReadUInt32();
            string job = reader.ReadObjectPath();
            reader.ReadStringBytes(); // unit name: the job path identifies the operation
            Jobs.OnJobRemoved(job, reader.ReadString());
        }

        public async ValueTask DisposeAsync()
        {
            if (_subscription is not null && Connection.IsConnected)
            {
                try
                {
                    await _subscription.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is DBusErrorException or DBusConnectionException or TimeoutException)
                {
                    // The connection is being closed anyway; a rule it cannot remove dies with it.
                }
            }
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
