namespace NetbootPi.Agent.Health;

/// <summary>
/// Every health check of the agent, asked together, and since when they have been failing: the watchdog's gate.
/// Not thread-safe: one caller (the watchdog's timer).
/// </summary>
public sealed class HealthMonitor(IEnumerable<IHealthCheck> checks, TimeProvider time)
{
    private readonly IHealthCheck[] _checks = [.. checks];
    private DateTimeOffset? _failingSince;

    /// <summary>Since when at least one check has failed without a pass between; null while healthy.</summary>
    public DateTimeOffset? FailingSince => _failingSince;

    /// <summary>Runs every check; the problems found (empty: healthy). A check that throws is a problem itself.</summary>
    public IReadOnlyList<string> Check()
    {
        var problems = new List<string>();
        foreach (var check in _checks)
        {
            try
            {
                if (check.Problem() is { } p) problems.Add(p);
            }
            catch (Exception e)
            {
                problems.Add($"{check.GetType().Name} failed: {e.GetType().Name}: {e.Message}");
            }
        }
        _failingSince = problems.Count == 0 ? null : _failingSince ?? time.GetUtcNow();
        return problems;
    }
}
