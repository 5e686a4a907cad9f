using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace NetbootPi.Agent.Control.Accounts;

/// <summary>
/// The sessions of users logged in over the network, in memory (a restart logs everyone out). A session ends
/// after <see cref="IdleTimeout"/> without a request, and <see cref="MaxAge"/> after the login whatever happens;
/// removing a user or changing their password ends theirs.
/// </summary>
public sealed class SessionStore(TimeProvider time, TimeSpan idleTimeout, TimeSpan maxAge)
{
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromHours(12);

    // By SHA-256 of the cookie, so a dump of the process's memory does not hand out live cookies by the handful.
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    public TimeSpan IdleTimeout => idleTimeout;

    public TimeSpan MaxAge => maxAge;

    /// <summary>
    /// A session ended (logout, its user removed or their password changed, or found expired): its
    /// <see cref="Session.Id"/>. What lives as long as a session (a web terminal) ends with it. Raised on the thread
    /// that ended it; an expiry is seen only when the store is asked (<see cref="IsLive"/>).
    /// </summary>
    public event Action<string>? Ended;

    /// <summary>A new session for <paramref name="user"/>: the cookie's value (given to the browser, kept nowhere) and the session.</summary>
    public (string Cookie, Session Session) Create(string user, ControlRole role)
    {
        Sweep();
        var cookie = Random();
        var now = time.GetUtcNow();
        var session = new Session(user, role, Random(), now, now) { Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) };
        _sessions[Key(cookie)] = session;
        return (cookie, session);
    }

    /// <summary>The live session <paramref name="cookie"/> names, now seen again; null when there is none or it expired.</summary>
    public Session? Find(string cookie)
    {
        var key = Key(cookie);
        if (!_sessions.TryGetValue(key, out var session)) return null;
        var now = time.GetUtcNow();
        if (Expired(session, now))
        {
            End(key);
            return null;
        }
        var seen = session with { LastSeen = now };
        _sessions.TryUpdate(key, seen, session);
        return seen;
    }

    /// <summary>When the session would end if no request came: the sooner of its idle and absolute ends.</summary>
    public DateTimeOffset EndOf(Session session) =>
        session.LastSeen + idleTimeout < session.Started + maxAge ? session.LastSeen + idleTimeout : session.Started + maxAge;

    public bool Remove(string cookie) => End(Key(cookie));

    /// <summary>Whether the session <paramref name="cookie"/> names is live, without counting this as a request (it is not seen again).</summary>
    public bool IsLive(string cookie)
    {
        var key = Key(cookie);
        if (!_sessions.TryGetValue(key, out var session)) return false;
        if (!Expired(session, time.GetUtcNow())) return true;
        End(key);
        return false;
    }

    /// <summary>The live sessions, without their cookies.</summary>
    public IReadOnlyList<Session> All
    {
        get
        {
            var now = time.GetUtcNow();
            return [.. _sessions.Values.Where(s => !Expired(s, now)).OrderBy(s => s.Started)];
        }
    }

    /// <summary>Ends the session whose <see cref="Session.Id"/> is <paramref name="id"/>; false when there is none.</summary>
    public bool RemoveById(string id)
    {
        foreach (var (key, s) in _sessions)
            if (s.Id == id) return End(key);
        return false;
    }

    /// <summary>Ends every session of <paramref name="user"/>; how many there were.</summary>
    public int RemoveUser(string user)
    {
        var n = 0;
        foreach (var (key, s) in _sessions)
            if (s.User == user && End(key)) n++;
        return n;
    }

    public int Count => _sessions.Count;

    private bool Expired(Session s, DateTimeOffset now) => now - s.LastSeen >= idleTimeout || now - s.Started >= maxAge;

    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var (key, s) in _sessions)
            if (Expired(s, now)) End(key);
    }

    private bool End(string key)
    {
        if (!_sessions.TryRemove(key, out var session)) return false;
        Ended?.Invoke(session.Id);
        return true;
    }

    private static string Random() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Key(string cookie) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(cookie)));
}
