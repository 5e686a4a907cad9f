using NetbootPi.Protocols.Dns;

namespace NetbootPi.Agent.Dns;

/// <summary>
/// Forwarded answers, kept for as long as their TTLs say: a positive answer for its smallest answer TTL, a
/// negative one (NXDOMAIN, or NOERROR without answers) for the lesser of its SOA's TTL and MINIMUM (RFC 2308 §5), and
/// nothing else (SERVFAIL, REFUSED, or a negative answer without an SOA). Served copies have their TTLs aged.
/// Bounded: when full, expired entries go first, then the entry closest to expiring.
/// </summary>
public sealed class DnsCache(TimeProvider time, int capacity = DnsCache.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;

    /// <summary>No answer is kept longer than a day, whatever its TTL (RFC 2308 §5 suggests one to three hours for negative ones).</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(1);
    public static readonly TimeSpan MaxNegativeLifetime = TimeSpan.FromHours(3);

    private readonly Dictionary<(string Name, DnsRecordType Type, ushort Class, bool Dnssec), (UpstreamAnswer Answer, DateTimeOffset Stored, DateTimeOffset Expires)> _entries = [];
    private readonly Lock _gate = new();

    public int Count
    {
        get { lock (_gate) return _entries.Count; }
    }

    public void Store(in DnsClientQuestion q, UpstreamAnswer answer)
    {
        if (answer.Header.IsTruncated) return;
        TimeSpan lifetime;
        if (answer.ResponseCode == DnsResponseCode.NoError && answer.Header.AnswerCount > 0)
            lifetime = TimeSpan.FromSeconds(answer.MinAnswerTtl);
        else if (answer.ResponseCode is DnsResponseCode.NoError or DnsResponseCode.NameError && answer.NegativeTtl is { } negative)
            lifetime = TimeSpan.FromSeconds(Math.Min(negative, MaxNegativeLifetime.TotalSeconds));
        else return;
        if (lifetime <= TimeSpan.Zero) return;
        if (lifetime > MaxLifetime) lifetime = MaxLifetime;
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_entries.Count >= capacity) Evict(now);
            _entries[Key(q)] = (answer, now, now + lifetime);
        }
    }

    /// <summary>The cached answer for the question and how old it is, or false.</summary>
    public bool TryGet(in DnsClientQuestion q, out UpstreamAnswer answer, out uint ageSeconds)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var key = Key(q);
            if (_entries.TryGetValue(key, out var e))
            {
                if (now < e.Expires)
                {
                    answer = e.Answer;
                    ageSeconds = (uint)(now - e.Stored).TotalSeconds;
                    return true;
                }
                _entries.Remove(key);
            }
        }
        answer = null!;
        ageSeconds = 0;
        return false;
    }

    /// <summary>Forgets everything (the site's upstreams changed).</summary>
    public void Clear()
    {
        lock (_gate) _entries.Clear();
    }

    private static (string, DnsRecordType, ushort, bool) Key(in DnsClientQuestion q) => (q.Name.ToLowerInvariant(), q.Type, q.Class, q.DnssecOk);

    private void Evict(DateTimeOffset now)
    {
        foreach (var (key, e) in _entries)
        {
            if (e.Expires <= now) _entries.Remove(key);
        }
        if (_entries.Count < capacity) return;
        var soonest = _entries.MinBy(e => e.Value.Expires).Key;
        _entries.Remove(soonest);
    }
}
