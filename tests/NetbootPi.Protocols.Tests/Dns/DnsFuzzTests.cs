using System.Diagnostics;
using NetbootPi.Protocols.Dns;

namespace NetbootPi.Protocols.Tests.Dns;

/// <summary>
/// Seeded random and mutated messages: the query parser and the response scan must return, never throw or
/// hang, whatever the bytes; what they accept must also be accepted when written again.
/// </summary>
public class DnsFuzzTests
{
    [Fact]
    public void Random_and_mutated_queries_never_throw_or_hang()
    {
        var rng = new Random(20261206);
        var query = new DnsQuery();
        var scan = new DnsResponseScan();
        var writer = new DnsMessageWriter();
        var seeds = new[]
        {
            DnsVectors.QueryWithEdns(), DnsVectors.Query(), DnsVectors.Query("_http._tcp.netsoc.internal", 33),
            DnsVectors.UpstreamResponse(), DnsVectors.UpstreamNxDomain(),
        };
        var accepted = 0;
        var clock = Stopwatch.StartNew();
        const int Runs = 120_000;
        for (var i = 0; i < Runs; i++)
        {
            byte[] p;
            if (i % 4 == 0)
            {
                p = new byte[rng.Next(0, 600)];
                rng.NextBytes(p);
            }
            else
            {
                p = (byte[])seeds[i % seeds.Length].Clone();
                var edits = rng.Next(1, 6);
                for (var e = 0; e < edits && p.Length > 0; e++)
                {
                    switch (rng.Next(6))
                    {
                        case 0: p[rng.Next(p.Length)] = (byte)rng.Next(256); break;
                        case 1: p[rng.Next(Math.Min(12, p.Length))] = (byte)rng.Next(256); break;   // the counts
                        case 2: p = p[..rng.Next(p.Length)]; break;                                  // truncate
                        case 3:                                                                      // a pointer anywhere
                            var at = rng.Next(p.Length - 1 > 0 ? p.Length - 1 : 1);
                            if (at + 1 < p.Length) { p[at] = (byte)(0xC0 | rng.Next(4)); p[at + 1] = (byte)rng.Next(256); }
                            break;
                        case 4: p[rng.Next(p.Length)] = (byte)rng.Next(60, 70); break;               // labels near 63
                        default: p = [.. p, .. Enumerable.Repeat((byte)rng.Next(256), rng.Next(1, 64))]; break;
                    }
                }
            }
            scan.Scan(p);
            if (query.Parse(p) != DnsParseError.None) continue;
            accepted++;
            // Whatever parsed as a query writes back as a question and parses again to the same name.
            writer.Begin(query.Header.Id, DnsHeader.RecursionDesiredFlag, DnsMessageWriter.MaxMessageSize);
            Assert.True(writer.TryWriteQuestion(query.Name, query.Type, query.Class));
            var name = query.Name;
            Assert.Equal(DnsParseError.None, query.Parse(writer.Written));
            Assert.Equal(name, query.Name);
        }
        Assert.InRange(accepted, 1, Runs - 1);
        // Bounded work per message: far below a second for the whole run on this machine (~0.3 s measured).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{Runs} messages took {clock.Elapsed}");
    }
}
