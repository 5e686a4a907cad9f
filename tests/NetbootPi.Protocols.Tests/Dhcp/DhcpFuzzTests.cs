using NetbootPi.Protocols.Dhcp;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>Seeded random and mutated datagrams: the parser must return, never throw, whatever the bytes.</summary>
public class DhcpFuzzTests
{
    [Fact]
    public void Random_bytes_never_throw()
    {
        var rng = new Random(20261123);
        var m = new DhcpMessage();
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var p = new byte[rng.Next(0, 700)];
            rng.NextBytes(p);
            if (p.Length >= 240 && rng.Next(2) == 0)
            {
                p[0] = 1;
                p[2] = 6;
                DhcpMessage.MagicCookie.CopyTo(p.AsSpan(236));
            }
            if (m.Parse(p) == DhcpParseError.None) accepted++;
        }
        Assert.True(accepted < 20_000);
    }

    [Fact]
    public void Mutated_valid_packets_never_throw_and_accepted_ones_rewrite()
    {
        var rng = new Random(4242);
        var m = new DhcpMessage();
        var buffer = new byte[1500];
        var seeds = new[] { DhcpVectors.PxeDiscover(), DhcpVectors.WithOptions(53, 1, 3, 52, 1, 3, 50, 4, 10, 0, 0, 9) };
        var accepted = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var p = (byte[])seeds[i % seeds.Length].Clone();
            var edits = rng.Next(1, 6);
            for (var e = 0; e < edits; e++)
            {
                switch (rng.Next(4))
                {
                    case 0: p[rng.Next(p.Length)] = (byte)rng.Next(256); break;
                    case 1: p[rng.Next(Math.Min(236, p.Length - 1), p.Length)] = (byte)rng.Next(256); break; // hit the options
                    case 2: p = p[..rng.Next(p.Length)]; break;                     // truncate
                    default: p = [.. p, .. Enumerable.Repeat((byte)rng.Next(256), rng.Next(1, 300))]; break;
                }
                if (p.Length == 0) break;
            }
            if (m.Parse(p) != DhcpParseError.None) continue;
            accepted++;
            // Whatever parsed must serialize again (options were validated, values may be long: split).
            DhcpMessageWriter.TryWrite(m, buffer, buffer.Length, out _, out _);
        }
        Assert.InRange(accepted, 1, 49_999);
    }
}
