using System.Collections.Concurrent;

namespace NetbootPi.Agent.Control.Accounts;

/// <summary>
/// How often anyone may try to log in: at most <see cref="PerAddress"/> attempts per source address and
/// <see cref="PerUser"/> per user name in any <see cref="Window"/> (a sliding window, on the injected clock). Above
/// that an attempt is refused before its password is even hashed, with the time until the next one counts. This
/// slows guessing from one place and at one account; the lockout (<see cref="AccountStore.MaxFailures"/>) stops a
/// slow one spread over many addresses.
/// </summary>
public sealed class LoginLimiter(TimeProvider time)
{
    public const int PerAddress = 30;
    public const int PerUser = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _attempts = new(StringComparer.Ordinal);

    /// <summary>Counts an attempt; null when it may go ahead, else how long to wait.</summary>
    public TimeSpan? Attempt(string address, string user)
    {
        var now = time.GetUtcNow();
        var byAddress = _attempts.GetOrAdd("a:" + address, _ => new Queue<DateTimeOffset>());
        var byUser = _attempts.GetOrAdd("u:" + user, _ => new Queue<DateTimeOffset>());
        // One lock order (address, then user) for every caller.
        lock (byAddress)
        lock (byUser)
        {
            var wait = Wait(byAddress, PerAddress, now) ?? Wait(byUser, PerUser, now);
            if (wait is not null) return wait;
            byAddress.Enqueue(now);
            byUser.Enqueue(now);
            return null;
        }
    }

    private static TimeSpan? Wait(Queue<DateTimeOffset> attempts, int most, DateTimeOffset now)
    {
        while (attempts.Count > 0 && now - attempts.Peek() >= Window) attempts.Dequeue();
        return attempts.Count < most ? null : attempts.Peek() + Window - now;
    }
}
