using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using NetbootPi.Agent.Dns;
using NetbootPi.Protocols.Dns;
using NetbootPi.Protocols.Net;
using NetbootPi.Tests.Shared;

namespace NetbootPi.Agent.Tests.Dns;

/// <summary>
/// RFC 5452 against the forwarder: each query (with EDNS0) leaves from a port of its own with an id of its own, and only a
/// response from the upstream it asked, with that id, counts. The upstream is a UDP socket on port 53 of a loopback
/// address that answers each query three times: first from another address (spoofed), then with a wrong id, then
/// properly; only the last answer may come back.
/// </summary>
public class DnsForwarderSpoofingTests
{
    private static readonly Ipv4Address Real = Ipv4Address.Parse("192.0.2.1");
    private static readonly Ipv4Address Forged = Ipv4Address.Parse("198.51.100.66");

    private static ReadOnlyMemory<byte> Response(ushort id, string name, Ipv4Address address)
    {
        var w = new DnsMessageWriter(512);
        w.Begin(id, DnsHeader.ResponseFlag | DnsHeader.RecursionDesiredFlag | DnsHeader.RecursionAvailableFlag, 512);
        Assert.True(w.TryWriteQuestion(name, DnsRecordType.A, 1));
        Assert.True(w.TryWriteRecord(DnsSection.Answer, DnsRecord.A(name, 300, address)));
        return w.WrittenMemory.ToArray();
    }

    [Fact]
    public async Task Random_ids_and_ports_and_only_the_upstreams_own_answer_counts()
    {
        Peers.RequireRoot(); // the forwarder asks port 53
        var ct = TestContext.Current.CancellationToken;
        const int Queries = 20;
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        upstream.Bind(new IPEndPoint(IPAddress.Parse("127.27.10.53"), 53));
        using var spoofer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        spoofer.Bind(new IPEndPoint(IPAddress.Parse("127.27.10.54"), 53));
        var seen = new List<(int Port, ushort Id)>();
        var server = Task.Run(async () =>
        {
            var buffer = new byte[512];
            for (var i = 0; i < Queries; i++)
            {
                var r = await upstream.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), ct);
                var client = (IPEndPoint)r.RemoteEndPoint;
                var id = BinaryPrimitives.ReadUInt16BigEndian(buffer);
                seen.Add((client.Port, id));
                // EDNS0: one additional record, an OPT at the root offering 1232 bytes (RFC 6891 §6.1.2).
                Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(10)));
                Assert.True(buffer.AsSpan(0, r.ReceivedBytes).EndsWith((ReadOnlySpan<byte>)[0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]),
                    Convert.ToHexString(buffer, 0, r.ReceivedBytes));
                var name = $"q{i}.example.test";
                await spoofer.SendToAsync(Response(id, name, Forged), SocketFlags.None, client, ct);
                await upstream.SendToAsync(Response((ushort)(id ^ 0x5A5A), name, Forged), SocketFlags.None, client, ct);
                await upstream.SendToAsync(Response(id, name, Real), SocketFlags.None, client, ct);
            }
        }, ct);

        var forwarder = new DnsForwarder(TimeProvider.System, new CapturingLogger());
        var reply = new byte[512];
        for (var i = 0; i < Queries; i++)
        {
            var q = new DnsClientQuestion(0x1234, $"q{i}.example.test", DnsRecordType.A, 1, HasEdns: false, DnssecOk: false);
            var answer = await forwarder.ResolveAsync([Ipv4Address.Parse("127.27.10.53")], q, ct);
            Assert.NotNull(answer);
            var n = answer.WriteFor(q, 0, reply, reply.Length);
            Assert.Equal(0x1234, BinaryPrimitives.ReadUInt16BigEndian(reply)); // the client's own id again
            Assert.True(reply.AsSpan(0, n).IndexOf((ReadOnlySpan<byte>)[192, 0, 2, 1]) > 0, $"query {i}: the real answer");
            Assert.True(reply.AsSpan(0, n).IndexOf((ReadOnlySpan<byte>)[198, 51, 100, 66]) < 0, $"query {i}: a forged answer got through");
        }
        await server;

        // Twenty ids and source ports drawn at random: collisions are possible but rare, and ports spread wide.
        Assert.True(seen.Select(s => s.Id).Distinct().Count() >= Queries - 2, string.Join(' ', seen.Select(s => s.Id)));
        Assert.True(seen.Select(s => s.Port).Distinct().Count() >= Queries - 2, string.Join(' ', seen.Select(s => s.Port)));
        Assert.True(seen.Max(s => s.Port) - seen.Min(s => s.Port) > 1000, string.Join(' ', seen.Select(s => s.Port)));
    }
}
