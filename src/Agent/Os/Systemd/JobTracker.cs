namespace NetbootPi.Agent.Os.Systemd;

/// <summary>
/// Matches systemd's JobRemoved signals to the operations waiting for them. An operation registers before it
/// asks systemd for the job, because the job can finish (and its signal arrive) before the call's reply tells
/// which job path to wait for; results for unknown paths are kept only while some waiter has no path yet.
/// </summary>
internal sealed class JobTracker
{
    private readonly Lock _lock = new();
    private readonly List<Waiter> _waiters = [];

    public Waiter Begin()
    {
        var waiter = new Waiter(this);
        lock (_lock) _waiters.Add(waiter);
        return waiter;
    }

    public void OnJobRemoved(string jobPath, string result)
    {
        lock (_lock)
        {
            foreach (var waiter in _waiters)
            {
                if (waiter.JobPath is null) waiter.Early[jobPath] = result;
                else if (waiter.JobPath == jobPath) waiter.Result.TrySetResult(result);
            }
        }
    }

    public void FailAll(Exception reason)
    {
        lock (_lock)
        {
            foreach (var waiter in _waiters) waiter.Result.TrySetException(reason);
        }
    }

    internal sealed class Waiter(JobTracker tracker) : IDisposable
    {
        public string? JobPath { get; private set; }

        public Dictionary<string, string> Early { get; } = [];

        public TaskCompletionSource<string> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Sets the job to wait for, completing at once if its signal already came.</summary>
        public void SetJobPath(string jobPath)
        {
            lock (tracker._lock)
            {
                JobPath = jobPath;
                if (Early.TryGetValue(jobPath, out var result)) Result.TrySetResult(result);
                Early.Clear();
            }
        }

        public void Dispose()
        {
            lock (tracker._lock) tracker._waiters.Remove(this);
        }
    }
}
