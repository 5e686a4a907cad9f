using NetbootPi.Agent.Os.DBus;
using Tmds.DBus.Protocol;

namespace NetbootPi.Agent.Os.Systemd;

public sealed partial class SystemdManager
{
    // StartUnit/StopUnit/RestartUnit/ReloadOrRestartUnit(s name, s mode) -> (o job); the job's end is announced
    // by JobRemoved(u id, o job, s unit, s result).
    private async Task RunJobAsync(string operation, string unit, Func<SystemdManagerProxy, string, Task<ObjectPath>> enqueue,
        CancellationToken cancellationToken)
    {
        var session = await GetSessionAsync(operation, unit, cancellationToken).ConfigureAwait(false);
        using var waiter = session.Jobs.Begin();
        string result;
        try
        {
            var job = await CallAsync(enqueue(session.Manager, unit), _options.CallTimeout, cancellationToken).ConfigureAwait(false);
            waiter.SetJobPath(job.ToString());
        }
        catch (Exception e) when (Translate(operation, operation, unit, e) is { } translated)
        {
            throw translated;
        }

        try
        {
            result = await waiter.Result.Task.WaitAsync(_options.JobTimeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new SystemdException(operation, unit,
                $"the {operation} job for {unit} did not finish within {_options.JobTimeout.TotalSeconds:0} s " +
                $"(check: systemctl list-jobs; systemctl status {unit})", inner: e);
        }
        catch (DBusConnectionException e)
        {
            throw new SystemdException(operation, unit,
                $"the D-Bus connection to systemd ({_where}) ended while the {operation} job for {unit} ran; its result is unknown " +
                $"(check: systemctl status {unit}; the next operation connects again)", inner: e);
        }
        // "skipped": the job did not apply to the unit's state (e.g. a reload of a stopped unit); not a failure.
        if (result is "done" or "skipped") return;
        throw new SystemdException(operation, unit,
            $"the {operation} job for {unit} ended with '{result}' (check: systemctl status {unit}; journalctl -u {unit})",
            jobResult: result);
    }

    private async Task<Session> GetSessionAsync(string operation, string unit, CancellationToken cancellationToken)
    {
        await _sessionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_session is { IsConnected: true }) return _session;
            _session?.Dispose();
            _session = null;
            try
            {
                _session = await Session.OpenAsync(_connect, _options.CallTimeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DBusConnectionException or DBusErrorReplyException or TimeoutException)
            {
                string detail = e is DBusErrorReplyException reply ? $"{reply.ErrorName}: {reply.ErrorMessage}" : e.Message;
                throw new SystemdException(operation, unit,
                    $"cannot reach systemd over D-Bus ({_where}): {detail} (check: is dbus running and systemd on the bus?)",
                    errorName: (e as DBusErrorReplyException)?.ErrorName, inner: e);
            }
            return _session;
        }
        finally
        {
            _sessionLock.Release();
        }
    }

    /// <summary>One connection with its JobRemoved watch and the operations waiting on it.</summary>
    private sealed class Session : IDisposable
    {
        private readonly Task<Exception?> _disconnected;
        private IDisposable? _jobRemoved;

        private Session(DBusConnection connection)
        {
            Connection = connection;
            Manager = new SystemdManagerProxy(connection);
            _disconnected = connection.DisconnectedAsync();
        }

        public DBusConnection Connection { get; }

        public SystemdManagerProxy Manager { get; }

        public JobTracker Jobs { get; } = new();

        public bool IsConnected => !_disconnected.IsCompleted;

        public static async Task<Session> OpenAsync(Func<CancellationToken, Task<DBusConnection>> connect, TimeSpan timeout,
            TimeProvider time, CancellationToken cancellationToken)
        {
            var connection = await connect(cancellationToken).ConfigureAwait(false);
            var session = new Session(connection);
            try
            {
                // The watch first: a job may end as soon as systemd has it.
                session._jobRemoved = await session.Manager.WatchJobRemovedAsync(
                    notification =>
                    {
                        if (notification.HasValue) session.Jobs.OnJobRemoved(notification.Value.Job.ToString(), notification.Value.Result);
                    },
                    emitOnCapturedContext: false).AsTask().WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
                await session.Manager.SubscribeAsync().WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
                _ = session._disconnected.ContinueWith(
                    t => session.Jobs.FailAll(t.Result is { } reason
                        ? new DBusConnectionClosedException($"the connection closed: {reason.Message}", reason)
                        : new DBusConnectionClosedException("the connection was disposed")),
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                return session;
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            // Disposing the connection also ends the watch and fails calls still waiting on it.
            _jobRemoved?.Dispose();
            Connection.Dispose();
        }
    }
}
