using System.Buffers.Binary;
using NetbootPi.Agent.Dns;
using NetbootPi.Protocols.Dns;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Tests.Dns;

/// <summary>The forwarder's cache against a fake clock: TTLs honoured and aged, negative answers per RFC 2308.</summary>
public class DnsCacheTests
{
    private static readonly DnsClientQuestion Question = new(0x4242, "Up.Example.Test", DnsRecordType.A, 1, HasEdns: false, DnssecOk: false);

    /// <summary>An upstream response to up.example.test A with <paramref name="code"/>, answers of the given TTLs, an optional SOA and an OPT.</summary>
    private static UpstreamAnswer Response(DnsResponseCode code, uint[] ttls, (uint Ttl, uint Minimum)? soa = null, bool truncated = false)
    {
        var w = new DnsMessageWriter();
        w.Begin(7, (ushort)(DnsHeader.ResponseFlag | DnsHeader.RecursionDesiredFlag | DnsHeader.RecursionAvailableFlag | (truncated ? DnsHeader.TruncatedFlag : 0)), 4096);
        w.TryWriteQuestion("up.example.test", DnsRecordType.A, 1);
        foreach (var ttl in ttls) w.TryWriteRecord(DnsSection.Answer, DnsRecord.A("up.example.test", ttl, Ipv4Address.Parse("192.0.2.10")));
        if (soa is { } s) w.TryWriteRecord(DnsSection.Authority, DnsRecord.Soa("example.test", s.Ttl, "ns.example.test", "h.example.test", 1, 2, 3, 4, s.Minimum));
        w.TryWriteOpt(4096, DnsResponseCode.NoError, false);
        w.SetResponseCode(code);
        var scan = new DnsResponseScan();
        Assert.Equal(DnsParseError.None, scan.Scan(w.Written));
        return new UpstreamAnswer(w.Written, scan);
    }

    [Fact]
    public void Positive_answer_lives_for_its_smallest_ttl_and_is_served_aged()
    {
        var time = new FakeTimeProvider();
        var cache = new DnsCache(time);
        cache.Store(Question, Response(DnsResponseCode.NoError, [300, 120]));
        time.Advance(TimeSpan.FromSeconds(100));
        Assert.True(cache.TryGet(Question with { Name = "UP.example.TEST" }, out var answer, out var age));
        Assert.Equal(100u, age);

        var bytes = new byte[1024];
        var n = answer.WriteFor(Question, age, bytes, 512);
        var scan = new DnsResponseScan();
        Assert.Equal(DnsParseError.None, scan.Scan(bytes.AsSpan(0, n)));
        Assert.Equal(0x4242, scan.Header.Id);
        Assert.Equal("Up.Example.Test", scan.Name);           // the client's spelling
        Assert.Equal(20u, scan.MinAnswerTtl);                  // 120 - 100
        Assert.Equal(200u, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(scan.TtlOffsets[0])));
        Assert.Equal(-1, scan.OptStart);                       // the client sent no OPT, so it gets none

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.False(cache.TryGet(Question, out _, out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Negative_answers_live_for_the_lesser_of_soa_ttl_and_minimum()
    {
        var time = new FakeTimeProvider();
        var cache = new DnsCache(time);
        cache.Store(Question, Response(DnsResponseCode.NameError, [], (900, 60)));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.True(cache.TryGet(Question, out var nx, out _));
        Assert.Equal(DnsResponseCode.NameError, nx.ResponseCode);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(cache.TryGet(Question, out _, out _));

        // NODATA likewise; the SOA's own TTL when it is the lesser.
        cache.Store(Question, Response(DnsResponseCode.NoError, [], (30, 600)));
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.True(cache.TryGet(Question, out _, out _));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(cache.TryGet(Question, out _, out _));
    }

    [Fact]
    public void Failures_truncated_answers_and_negative_answers_without_soa_are_not_kept()
    {
        var cache = new DnsCache(new FakeTimeProvider());
        cache.Store(Question, Response(DnsResponseCode.ServerFailure, []));
        cache.Store(Question, Response(DnsResponseCode.NameError, []));
        cache.Store(Question, Response(DnsResponseCode.NoError, [300], truncated: true));
        cache.Store(Question, Response(DnsResponseCode.NoError, [0]));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_full_cache_drops_the_entry_closest_to_expiring()
    {
        var cache = new DnsCache(new FakeTimeProvider(), capacity: 2);
        cache.Store(Question with { Name = "a" }, Response(DnsResponseCode.NoError, [100]));
        cache.Store(Question with { Name = "b" }, Response(DnsResponseCode.NoError, [10]));
        cache.Store(Question with { Name = "c" }, Response(DnsResponseCode.NoError, [50]));
        Assert.Equal(2, cache.Count);
        Assert.False(cache.TryGet(Question with { Name = "b" }, out _, out _));
        Assert.True(cache.TryGet(Question with { Name = "a" }, out _, out _));
    }

    [Fact]
    public void Forwarded_answer_too_big_for_the_client_is_truncated_to_the_question()
    {
        var answer = Response(DnsResponseCode.NoError, [.. Enumerable.Repeat(300u, 40)]);
        var bytes = new byte[4096];
        var n = answer.WriteFor(Question with { HasEdns = true }, 0, bytes, 512);
        var scan = new DnsResponseScan();
        Assert.Equal(DnsParseError.None, scan.Scan(bytes.AsSpan(0, n)));
        Assert.True(scan.Header.IsTruncated);
        Assert.Equal((0, 0, 0), (scan.Header.AnswerCount, scan.Header.AuthorityCount, scan.Header.AdditionalCount));
        // Over TCP the whole, with the box's own UDP size in the OPT it passes on.
        n = answer.WriteFor(Question with { HasEdns = true }, 0, bytes, 65535);
        Assert.Equal(DnsParseError.None, scan.Scan(bytes.AsSpan(0, n)));
        Assert.Equal(40, scan.Header.AnswerCount);
        Assert.Equal(1232, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(scan.OptStart + 3)));
    }
}
