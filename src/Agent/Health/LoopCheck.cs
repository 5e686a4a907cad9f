using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Health;

/// <summary>
/// The servers' receive loops are alive: none has been handling one datagram for longer than
/// <paramref name="limit"/> (a loop waiting for the next one is healthy however long it waits), and none has ended
/// without being stopped. <paramref name="loops"/> is asked on every check: a service may replace its loops (DHCP
/// opens an interface again when it comes back).
/// </summary>
public sealed class LoopCheck(Func<IEnumerable<LoopProgress>> loops, TimeSpan limit) : IHealthCheck
{
    /// <summary>A request is handled in milliseconds; seconds on one means the loop is stuck.</summary>
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(5);

    public string? Problem()
    {
        var problems = new List<string>();
        foreach (var loop in loops())
        {
            if (loop.Failure is { } failure) problems.Add($"the {loop.Name} loop ended: {failure}");
            else if (loop.BusyFor is { } busy && busy > limit)
                problems.Add($"the {loop.Name} loop has been handling one request for {busy.TotalSeconds:0} s (at most {limit.TotalSeconds:0} s)");
        }
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }
}
