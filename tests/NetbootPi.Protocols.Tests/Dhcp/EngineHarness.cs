using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>An engine with a fake clock, an in-memory journal and the test policy; requests go in, parsed replies come out.</summary>
internal sealed class EngineHarness
{
    public static readonly DhcpReceiveContext Eth0 = new("eth0", 67, Ipv4Address.Any, 68);
    public static readonly Ipv4Address Server = Ipv4Address.Parse("10.0.0.1");

    private readonly byte[] _buffer = new byte[1500];
    private uint _xid = 1000;

    public EngineHarness(params DhcpNetwork[] networks) : this([], networks) { }

    public EngineHarness(IEnumerable<DhcpLease> recovered, params DhcpNetwork[] networks) : this(NoProbation, recovered, networks) { }

    public EngineHarness(DhcpEngineOptions options, IEnumerable<DhcpLease> recovered, params DhcpNetwork[] networks)
    {
        Policy.NetworkList.AddRange(networks.Length == 0 ? [TestDhcpPolicy.Lan()] : networks);
        Engine = new DhcpEngine(Policy, Journal, Time, recovered, options);
    }

    /// <summary>
    /// The RFC 2131 exchanges are tested with every lease the network's time; first leases on probation (the
    /// engine's default) have their own tests (DhcpStarvationTests).
    /// </summary>
    public static DhcpEngineOptions NoProbation { get; } = new() { ProbationLease = null };

    public TestDhcpPolicy Policy { get; } = new();
    public MemoryLeaseJournal Journal { get; } = new();
    public FakeTimeProvider Time { get; } = new();
    public DhcpEngine Engine { get; }
    public DhcpEngineResult Last { get; private set; }

    public static DhcpMessage NewRequest(DhcpMessageType type, MacAddress mac, uint xid, params byte[] prl)
    {
        var m = new DhcpMessage
        {
            Operation = DhcpOperation.BootRequest,
            HardwareType = 1,
            HardwareAddressLength = 6,
            TransactionId = xid,
        };
        mac.WriteTo(m.ClientHardwareAddressField);
        m.Options.SetByte(DhcpOptionCode.MessageType, (byte)type);
        if (prl.Length > 0) m.Options.Set(DhcpOptionCode.ParameterRequestList, prl);
        return m;
    }

    public DhcpMessage Request(DhcpMessageType type, MacAddress mac, params byte[] prl) => NewRequest(type, mac, ++_xid, prl);

    /// <summary>Runs the request through the codec (write then parse, as off the wire), then the engine.</summary>
    public DhcpMessage? Send(DhcpMessage request, DhcpReceiveContext? context = null)
    {
        var wire = new byte[1500];
        Assert.True(DhcpMessageWriter.TryWrite(request, wire, wire.Length, out var n, out _));
        var parsed = new DhcpMessage();
        Assert.Equal(DhcpParseError.None, parsed.Parse(wire.AsSpan(0, n)));
        Last = Engine.Handle(parsed, context ?? Eth0, _buffer);
        if (Last.Disposition != DhcpDisposition.Reply) return null;
        Assert.True(Last.Length <= DhcpMessageWriter.MaxPayloadFor(parsed));
        var reply = new DhcpMessage();
        Assert.Equal(DhcpParseError.None, reply.Parse(_buffer.AsSpan(0, Last.Length)));
        Assert.Equal(DhcpOperation.BootReply, reply.Operation);
        Assert.Equal(request.TransactionId, reply.TransactionId);
        Assert.Equal(request.ClientMac, reply.ClientMac);
        return reply;
    }

    /// <summary>DISCOVER → OFFER → REQUEST → ACK; returns the ACK.</summary>
    public DhcpMessage Bind(MacAddress mac)
    {
        var offer = Send(Request(DhcpMessageType.Discover, mac)) ?? throw new InvalidOperationException($"no offer: {Last.Disposition}");
        var req = Request(DhcpMessageType.Request, mac);
        req.Options.SetAddress(DhcpOptionCode.ServerIdentifier, Server);
        req.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, offer.YourAddress);
        var ack = Send(req) ?? throw new InvalidOperationException($"no ack: {Last.Disposition}");
        Assert.Equal(DhcpMessageType.Ack, ack.MessageType);
        return ack;
    }

    public static MacAddress Mac(int n) => MacAddress.Parse($"52:54:00:00:00:{n:x2}");
}
