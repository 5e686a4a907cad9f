using System.Collections.Concurrent;
using System.Text;
using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Dhcp.Transport;

namespace NetbootPi.Agent.Dhcp;

/// <summary>
/// What the DHCP server did, counted per interface and network: replies by type, requests not answered, requests
/// shed because the box could not keep up, and log lines or boot events dropped because the log or the disk was
/// slower than the requests. The periodic summary line and the status API read it; counting is a few interlocked
/// increments on the receive loop, never a wait.
/// </summary>
public sealed class DhcpActivity
{
    private readonly ConcurrentDictionary<(string Interface, string Network), Counts> _counts = new();
    private readonly Dictionary<(string Interface, string Network), Counts> _reported = [];
    private readonly Dictionary<(string Interface, int Port), DhcpShedCount> _shedReported = [];
    private long _logLinesDropped;
    private long _eventsDropped;
    private long _logLinesReported;
    private long _eventsReported;

    public void Count(string interfaceName, in DhcpEngineResult result)
    {
        var c = _counts.GetOrAdd((interfaceName, result.NetworkName ?? "-"), static _ => new Counts());
        if (result.Disposition != DhcpDisposition.Reply) Interlocked.Increment(ref c.Unanswered);
        else if (result.ReplyType == DhcpMessageType.Offer) Interlocked.Increment(ref c.Offers);
        else if (result.ReplyType == DhcpMessageType.Ack) Interlocked.Increment(ref c.Acks);
        else if (result.ReplyType == DhcpMessageType.Nak) Interlocked.Increment(ref c.Naks);
    }

    public void LogLineDropped() => Interlocked.Increment(ref _logLinesDropped);

    public void EventDropped() => Interlocked.Increment(ref _eventsDropped);

    public long LogLinesDropped => Interlocked.Read(ref _logLinesDropped);

    public long EventsDropped => Interlocked.Read(ref _eventsDropped);

    /// <summary>Totals since the agent started, per interface and network (for the status API).</summary>
    public IReadOnlyDictionary<(string Interface, string Network), (long Offers, long Acks, long Naks, long Unanswered)> Totals() =>
        _counts.ToDictionary(kv => kv.Key, kv => kv.Value.Read());

    /// <summary>
    /// One line per interface with anything new since the last call: "lan 120 OFFER, 118 ACK, 0 NAK, 2 not answered;
    /// shed 0 DISCOVER, 0 other, 0 INFORM", and the drops of log lines and boot events since the last call. Not thread-safe:
    /// one caller (the summary timer).
    /// </summary>
    public (IReadOnlyList<(string Interface, string Text)> Lines, long LogLinesDropped, long EventsDropped) TakeSummary(IEnumerable<DhcpShedCount> shed)
    {
        var byInterface = new SortedDictionary<string, StringBuilder>(StringComparer.Ordinal);
        StringBuilder For(string i) => byInterface.TryGetValue(i, out var b) ? b : byInterface[i] = new StringBuilder();
        foreach (var (key, counts) in _counts.OrderBy(kv => kv.Key.Network, StringComparer.Ordinal))
        {
            var now = counts.Read();
            var before = _reported.TryGetValue(key, out var r) ? r.Read() : default;
            var d = (Offers: now.Offers - before.Offers, Acks: now.Acks - before.Acks, Naks: now.Naks - before.Naks, Unanswered: now.Unanswered - before.Unanswered);
            if (d == default) continue;
            _reported[key] = Counts.From(now);
            var b = For(key.Interface);
            if (b.Length > 0) b.Append("; ");
            b.Append($"{key.Network} {d.Offers} OFFER, {d.Acks} ACK, {d.Naks} NAK, {d.Unanswered} not answered");
        }
        foreach (var s in shed)
        {
            var before = _shedReported.GetValueOrDefault((s.Interface, s.Port));
            var discovers = s.Discovers - before.Discovers;
            var others = s.Others - before.Others;
            var informs = s.Informs - before.Informs;
            _shedReported[(s.Interface, s.Port)] = s;
            if (discovers == 0 && others == 0 && informs == 0 && !byInterface.ContainsKey(s.Interface)) continue;
            var b = For(s.Interface);
            if (b.Length > 0) b.Append("; ");
            b.Append($"shed {discovers} DISCOVER, {others} other, {informs} INFORM{(s.Port == DhcpEngine.ServerPort ? "" : $" on port {s.Port}")}");
        }
        var lines = Interlocked.Read(ref _logLinesDropped);
        var events = Interlocked.Read(ref _eventsDropped);
        var result = (byInterface.Select(kv => (kv.Key, kv.Value.ToString())).ToList(), lines - _logLinesReported, events - _eventsReported);
        _logLinesReported = lines;
        _eventsReported = events;
        return result;
    }

    private sealed class Counts
    {
        public long Offers;
        public long Acks;
        public long Naks;
        public long Unanswered;

        public (long Offers, long Acks, long Naks, long Unanswered) Read() =>
            (Interlocked.Read(ref Offers), Interlocked.Read(ref Acks), Interlocked.Read(ref Naks), Interlocked.Read(ref Unanswered));

        public static Counts From((long Offers, long Acks, long Naks, long Unanswered) v) =>
            new() { Offers = v.Offers, Acks = v.Acks, Naks = v.Naks, Unanswered = v.Unanswered };
    }
}
