using System.Buffers.Binary;
using System.Net;
using NetbootPi.Protocols.Net;
using NetbootPi.Protocols.Tftp;

namespace NetbootPi.Protocols.Tests.Tftp;

/// <summary>The server over real UDP sockets on loopback, spoken to by hand.</summary>
public sealed class TftpServerTests : IDisposable
{
    private readonly TempTree _tree = new();
    private readonly CapturingLogger _log = new();
    private readonly byte[] _content;

    public TftpServerTests()
    {
        _content = new byte[5000];
        new Random(5).NextBytes(_content);
        _tree.Write("f.bin", _content);
    }

    public void Dispose() => _tree.Dispose();

    private TftpServer Start(int maxTransfers = 8, TimeProvider? time = null, int maxRetries = 5, int maxPerClient = 4)
    {
        var server = new TftpServer(new TftpServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            MaxTransfers = maxTransfers,
            MaxTransfersPerClient = maxPerClient,
            MaxRetries = maxRetries,
        }, new TftpRootFileProvider(_tree.Root), _log, time);
        server.Start();
        return server;
    }

    private static TftpOpcode Opcode(byte[] packet) => (TftpOpcode)BinaryPrimitives.ReadUInt16BigEndian(packet);

    private static ushort Block(byte[] packet) => BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2));

    private static (TftpErrorCode, string) Error(byte[] packet)
    {
        Assert.Equal(TftpRejectReason.None, TftpPacket.TryParseError(packet, out var code, out var message));
        return (code, message);
    }

    [Fact]
    public async Task ServesAWindowedTransferFromAnEphemeralPort()
    {
        await using var server = Start();
        using var client = new RawUdpClient();
        client.SendRequest(server.LocalEndPoint, TftpOpcode.ReadRequest, "/f.bin", ("blksize", "1000"), ("windowsize", "3"), ("tsize", "0"), ("x-unknown", "1"));

        var (oack, tid) = await client.ReceiveAsync();
        Assert.NotEqual(server.LocalEndPoint.Port, tid.Port);
        Assert.Equal(TftpOpcode.OptionAck, Opcode(oack));
        Assert.Equal("\0\u0006blksize\u00001000\0windowsize\u00003\0tsize\u00005000\0", System.Text.Encoding.ASCII.GetString(oack));

        client.SendAck(tid, 0);
        var received = new List<byte>();
        for (ushort block = 1; block <= 6; block++)
        {
            var (data, from) = await client.ReceiveAsync();
            Assert.Equal(tid, from);
            Assert.Equal(TftpOpcode.Data, Opcode(data));
            Assert.Equal(block, Block(data));
            received.AddRange(data[4..]);
            if (block % 3 == 0 || block == 6) client.SendAck(tid, block);
        }
        Assert.Equal(_content, received.ToArray());
        await WaitUntil(() => server.ActiveTransfers == 0);
        Assert.True(_log.Contains(4008, "f.bin"));
    }

    [Fact]
    public async Task PacketsFromAnotherPortGetUnknownTransferIdAndTheTransferContinues()
    {
        await using var server = Start();
        using var client = new RawUdpClient();
        using var stranger = new RawUdpClient();
        client.SendRequest(server.LocalEndPoint, TftpOpcode.ReadRequest, "f.bin", ("blksize", "4096"));
        var (_, tid) = await client.ReceiveAsync();
        client.SendAck(tid, 0);
        var (first, _) = await client.ReceiveAsync();
        Assert.Equal(1, Block(first));

        stranger.SendAck(tid, 1);
        var (error, from) = await stranger.ReceiveAsync();
        Assert.Equal(tid, from);
        Assert.Equal((TftpErrorCode.UnknownTransferId, "Unknown transfer ID"), Error(error));

        // blksize 4096 is granted as 1468, the loopback default MTU cap: 5000 bytes are four blocks.
        var received = first[4..].ToList();
        for (ushort block = 1; block < 4; block++)
        {
            client.SendAck(tid, block);
            var (next, _) = await client.ReceiveAsync();
            Assert.Equal(block + 1, Block(next));
            received.AddRange(next[4..]);
        }
        Assert.Equal(_content, received.ToArray());
        client.SendAck(tid, 4);
        await WaitUntil(() => server.ActiveTransfers == 0);
        Assert.True(_log.Contains(4010, stranger.LocalEndPoint.ToString()));
        Assert.True(_log.Contains(4008, "f.bin"));
    }

    [Fact]
    public async Task RepeatedRequestFromTheSamePortDoesNotStartASecondTransfer()
    {
        await using var server = Start();
        using var client = new RawUdpClient();
        client.SendRequest(server.LocalEndPoint, TftpOpcode.ReadRequest, "f.bin");
        client.SendRequest(server.LocalEndPoint, TftpOpcode.ReadRequest, "f.bin");
        var received = new List<byte>();
        IPEndPoint? tid = null;
        for (ushort block = 1; block <= 10; block++)
        {
            var (data, from) = await client.ReceiveAsync();
            tid ??= from;
            Assert.Equal(tid, from);
            Assert.Equal(block, Block(data));
            // The transfer cannot end before block 1 is acknowledged, so the repeat is seen while it runs (the
            // transfer has a thread of its own: on a busy machine it could otherwise finish before the request
            // loop reads the second RRQ, which then rightly starts a new transfer).
            if (block == 1) await WaitUntil(() => _log.Contains(4014, client.LocalEndPoint.ToString()));
            received.AddRange(data[4..]);
            client.SendAck(from, block);
            if (data.Length < 516) break;
        }
        Assert.Equal(_content, received.ToArray());
        await WaitUntil(() => server.ActiveTransfers == 0);
        Assert.Single(_log.Entries, e => e.EventId == 4008);
    }

    [Fact]
    public async Task BlockSizeFitsTheInterfaceTheRequestCameIn()
    {
        // Loopback's real MTU (65536, read from the system) lifts the 1500 default; a lookup that knows nothing
        // about the address leaves the default in place.
        foreach (var (lookup, granted) in new (Func<IPAddress, int?>, string)[]
                 { (LocalInterfaces.MtuOf, "65464"), (_ => 1420, "1388"), (_ => null, "1468") })
        {
            await using var server = new TftpServer(new TftpServerOptions
            {
                EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                InterfaceMtu = lookup,
            }, new TftpRootFileProvider(_tree.Root), _log);
            server.Start();
            using var client = new RawUdpClient();
            client.SendRequest(server.LocalEndPoint, TftpOpcode.ReadRequest, "f.bin", ("blksize", "65464"));
            var (oack, tid) = await client.ReceiveAsync();
            Assert.Equal($"\0\u0006blksize\0{granted}\0", System.Text.Encoding.ASCII.GetString(oack));
            var error = new byte[64];
            client.Send(tid, error.AsSpan(0, TftpPacket.WriteError(error, TftpErrorCode.NotDefined, "enough")));
        }
    }

    [Fact]
    public async Task WriteRequestsAreRefused()
    {
        await using var server = Start();
        using var client = new RawUdpClient();
        client.SendRequest(server.LocalEndPoint, TftpOpcode.WriteRequest, "upload.bin");
        var (error, _) = await client.ReceiveAsync();
        Assert.Equal(TftpErrorCode.AccessViolation, Error(error).Item1);
        Assert.False(File.Exists(Path.Join(_tree.Root, "upload.bin")));
        Assert.True(_log.Contains(4003, "upload.bin"));
    }

    [Fact]
    public async Task MalformedRequestsGetIllegalOperationAndAreLogged()
    {
        await using var server = Start();
        using var client = new RawUdpClient();
        client.Send(server.LocalEndPoint, [0x00, 0x01, (byte)'f', 0x00, (byte)'m', (byte)'a', (byte)'i', (byte)'l', 0x00]);
        var (error, _) = await client.ReceiveAsync();
        Assert.Equal(TftpErrorCode.IllegalOperation, Error(error).Item1);
        Assert.True(_log.Contains(4002, "UnsupportedMode"));
        Assert.Equal(0, server.ActiveTransfers);
    }

    [Fact]
    public async Task TraversalIsRefusedAndLoggedWithTheClientAddress()
    {
        await using var server = Start();
        using var client = new RawUdpClient();
        client.SendRequest(server.LocalEndPoint, TftpOpcode.ReadRequest, "../secret.txt");
        var (error, _) = await client.ReceiveAsync();
        Assert.Equal((TftpErrorCode.AccessViolation, "Access violation"), Error(error));
        Assert.True(_log.Contains(4005, client.LocalEndPoint.ToString()));
    }

    [Fact]
    public async Task RequestsOverTheCapAreRefusedAndShutdownTellsRunningClients()
    {
        var server = Start(maxTransfers: 1);
        using var first = new RawUdpClient();
        using var second = new RawUdpClient();
        first.SendRequest(server.LocalEndPoint, TftpOpcode.ReadRequest, "f.bin");
        var (data, _) = await first.ReceiveAsync();
        Assert.Equal(TftpOpcode.Data, Opcode(data));

        second.SendRequest(server.LocalEndPoint, TftpOpcode.ReadRequest, "f.bin");
        var (busy, _) = await second.ReceiveAsync();
        Assert.Equal((TftpErrorCode.NotDefined, "Server busy: too many transfers, retry later"), Error(busy));
        Assert.True(_log.Contains(4004, second.LocalEndPoint.ToString()));

        await server.DisposeAsync();
        var (bye, _) = await first.ReceiveAsync();
        Assert.Equal((TftpErrorCode.NotDefined, "Server shutting down"), Error(bye));
        Assert.Equal(0, server.ActiveTransfers);
    }

    [Fact]
    public async Task OneAddressCannotTakeEverySlotFromTheOthers()
    {
        // An address sending RRQs from many ports and never ACKing: its own transfers stop at the per-address cap,
        // the slots left serve another machine; a slot freed is that address's again.
        await using var server = Start(maxTransfers: 8, maxPerClient: 2);
        var attacker = Enumerable.Range(0, 5).Select(_ => new RawUdpClient()).ToList();
        try
        {
            var answers = new List<(byte[] Packet, IPEndPoint From)>();
            foreach (var port in attacker)
            {
                port.SendRequest(server.LocalEndPoint, TftpOpcode.ReadRequest, "f.bin");
                answers.Add(await port.ReceiveAsync());
            }
            Assert.Equal([TftpOpcode.Data, TftpOpcode.Data, TftpOpcode.Error, TftpOpcode.Error, TftpOpcode.Error], answers.Select(a => Opcode(a.Packet)));
            Assert.Equal((TftpErrorCode.NotDefined, "Server busy: too many transfers to this address, retry later"), Error(answers[2].Packet));
            Assert.True(_log.Contains(4015, attacker[2].LocalEndPoint.ToString()));
            Assert.Equal(2, server.ActiveTransfers);

            using var other = new RawUdpClient(IPAddress.Parse("127.0.0.2"));
            other.SendRequest(server.LocalEndPoint, TftpOpcode.ReadRequest, "f.bin");
            var (data, _) = await other.ReceiveAsync();
            Assert.Equal(TftpOpcode.Data, Opcode(data));

            // The first of the attacker's transfers ends (an ERROR from its client): its address may start one more.
            var error = new byte[64];
            attacker[0].Send(answers[0].From, error.AsSpan(0, TftpPacket.WriteError(error, TftpErrorCode.NotDefined, "enough")));
            await WaitUntil(() => server.ActiveTransfers == 2);
            attacker[3].SendRequest(server.LocalEndPoint, TftpOpcode.ReadRequest, "f.bin");
            Assert.Equal(TftpOpcode.Data, Opcode((await attacker[3].ReceiveAsync()).Item1));
        }
        finally
        {
            foreach (var c in attacker) c.Dispose();
        }
    }

    [Fact]
    public async Task SilentClientIsDroppedAfterTheRetriesAndItsTransferFreed()
    {
        var time = new FakeTimeProvider();
        await using var server = Start(time: time, maxRetries: 2);
        using var client = new RawUdpClient();
        client.SendRequest(server.LocalEndPoint, TftpOpcode.ReadRequest, "f.bin");
        var (data, _) = await client.ReceiveAsync();
        Assert.Equal(1, Block(data));
        Assert.Equal(1, server.ActiveTransfers);

        // Each step of the fake clock past the deadline makes the server resend block 1, twice, then give up.
        var resent = 0;
        for (var step = 0; step < 50 && server.ActiveTransfers > 0; step++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            var again = await client.TryReceiveAsync(TimeSpan.FromMilliseconds(200));
            if (again is { } packet)
            {
                Assert.Equal(data, packet.Packet);
                resent++;
            }
        }
        Assert.Equal(0, server.ActiveTransfers);
        Assert.Equal(2, resent);
        Assert.True(_log.Contains(4009, "TimedOut"));
    }

    /// <summary>Waits for the server's own tasks to finish their bookkeeping; fails after 10 s of real time.</summary>
    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }
}
