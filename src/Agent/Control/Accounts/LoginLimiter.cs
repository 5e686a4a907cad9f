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
        // Names and addresses that tried once and went away must not pile up: a spray of names would fill memory.
        // At most once a window: sweeping is a walk over everything, and what is younger stays anyway.
        var last = Interlocked.Read(ref _lastSweepTicks);
        if (_attempts.Count > MaxTracked && now.UtcTicks - last >= Window.Ticks
            && Interlocked.CompareExchange(ref _lastSweepTicks, now.UtcTicks, last) == last)
            Sweep(now);
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

    private const int MaxTracked = 10_000;
    private long _lastSweepTicks;

    /// <summary>How many addresses and names are being counted now.</summary>
    public int Tracked => _attempts.Count;

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, attempts) in _attempts)
        {
            lock (attempts)
            {
                if (attempts.Count == 0 || now - attempts.Last() >= Window) _attempts.TryRemove(key, out _);
            }
        }
    }

    private static TimeSpan? Wait(Queue<DateTimeOffset> attempts, int most, DateTimeOffset now)
    {
        while (attempts.Count > 0 && now - attempts.Peek() >= Window) attempts.Dequeue();
        return attempts.Count < most ? null : attempts.Peek() + Window - now;
    }
}
