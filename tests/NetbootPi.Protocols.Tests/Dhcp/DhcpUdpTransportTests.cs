using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Dhcp.Transport;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>
/// Real sockets on the loopback device (ports chosen free at run time, never 67/68): a relayed exchange
/// whose ACK goes out only after the lease store's fsync, a relay-only network answered from the address the
/// relay sent to, an INFORM answered to ciaddr, and garbage reported.
/// </summary>
public sealed class DhcpUdpTransportTests : IAsyncDisposable
{
    private static readonly Ipv4Address Loopback = Ipv4Address.Parse("127.0.0.1");
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-udp-").FullName;
    private readonly LeaseStore _store;
    private readonly DhcpUdpTransport _transport;
    private readonly Socket _client = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly RecordingObserver _observer = new();
    private readonly int _serverPort;
    private readonly int _clientPort;

    public DhcpUdpTransportTests()
    {
        _client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var clientPort = _clientPort = ((IPEndPoint)_client.LocalEndPoint!).Port;
        _serverPort = FreePort();
        var policy = new TestDhcpPolicy();
        // Before "loop", which contains it: relayed requests from 127.64.0.0/16 belong to this relay-only network.
        policy.NetworkList.Add(new DhcpNetwork
        {
            Name = "far",
            ServerAddress = null,
            Subnet = Ipv4Network.TryParse("127.64.0.0/16", out var far) ? far : default,
            RangeStart = Ipv4Address.Parse("127.64.1.10"),
            RangeEnd = Ipv4Address.Parse("127.64.1.20"),
        });
        policy.NetworkList.Add(new DhcpNetwork
        {
            Name = "loop",
            InterfaceName = "lo",
            ServerAddress = Loopback,
            Subnet = Ipv4Network.TryParse("127.0.0.0/8", out var n) ? n : default,
            RangeStart = Ipv4Address.Parse("127.0.0.100"),
            RangeEnd = Ipv4Address.Parse("127.0.0.200"),
        });
        _store = LeaseStore.Open(_dir);
        var engine = new DhcpEngine(policy, _store, new FakeTimeProvider(), _store.Recovered);
        _transport = new DhcpUdpTransport(engine, _store, new DhcpTransportOptions
        {
            Interfaces = ["lo"],
            ServerPort = _serverPort,
            ClientPort = clientPort,
            RelayPort = clientPort, // this socket plays the relay too
        }, _observer);
        _transport.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _transport.DisposeAsync();
        _client.Dispose();
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_relayed_exchange_is_acked_after_the_lease_is_durable()
    {
        var mac = MacAddress.Parse("52:54:00:aa:bb:cc");
        var discover = EngineHarness.NewRequest(DhcpMessageType.Discover, mac, 0x1111);
        discover.GatewayAddress = Loopback;
        var offer = await Exchange(discover);
        Assert.Equal(DhcpMessageType.Offer, offer.MessageType);
        Assert.Equal(Ipv4Address.Parse("127.0.0.100"), offer.YourAddress);

        var request = EngineHarness.NewRequest(DhcpMessageType.Request, mac, 0x2222);
        request.GatewayAddress = Loopback;
        request.Options.SetAddress(DhcpOptionCode.ServerIdentifier, Loopback);
        request.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, offer.YourAddress);
        var ack = await Exchange(request);
        Assert.Equal(DhcpMessageType.Ack, ack.MessageType);
        // By the time the ACK arrived, its record was on disk.
        Assert.Equal(1, _store.DurableTicket);
        var (leases, _) = LeaseStore.Read(_dir);
        Assert.Equal(mac, Assert.Single(leases).Mac);
    }

    [Fact]
    public async Task A_relay_only_network_is_answered_from_the_address_the_relay_sent_to()
    {
        var ct = TestContext.Current.CancellationToken;
        // The relay at 127.64.0.1 forwards to 127.0.0.2, an address of lo other than its primary 127.0.0.1:
        // only the datagram's destination (IP_PKTINFO) names it.
        using var relay = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        relay.Bind(new IPEndPoint(IPAddress.Parse("127.64.0.1"), _clientPort));
        var discover = EngineHarness.NewRequest(DhcpMessageType.Discover, MacAddress.Parse("52:54:00:aa:bb:02"), 0x4444);
        discover.GatewayAddress = Ipv4Address.Parse("127.64.0.1");
        var wire = new byte[1500];
        Assert.True(DhcpMessageWriter.TryWrite(discover, wire, wire.Length, out var n, out _));
        await relay.SendToAsync(wire.AsMemory(0, n), new IPEndPoint(IPAddress.Parse("127.0.0.2"), _serverPort), ct);
        var offer = await ReceiveAsync(relay, discover.TransactionId);
        Assert.Equal(Ipv4Address.Parse("127.64.1.10"), offer.YourAddress);
        Assert.True(offer.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var id));
        Assert.Equal(Ipv4Address.Parse("127.0.0.2"), id);
    }

    [Fact]
    public async Task An_inform_is_answered_to_ciaddr()
    {
        var inform = EngineHarness.NewRequest(DhcpMessageType.Inform, MacAddress.Parse("52:54:00:aa:bb:01"), 0x3333);
        inform.ClientAddress = Loopback;
        var ack = await Exchange(inform);
        Assert.Equal(DhcpMessageType.Ack, ack.MessageType);
        Assert.Equal(Loopback, ack.ClientAddress);
    }

    [Fact]
    public async Task Garbage_is_reported_and_not_answered()
    {
        await _client.SendToAsync(new byte[100], new IPEndPoint(IPAddress.Loopback, _serverPort), TestContext.Current.CancellationToken);
        var rejected = await _observer.Rejections.Reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(DhcpParseError.TooShort, rejected);
    }

    private async Task<DhcpMessage> Exchange(DhcpMessage request)
    {
        var ct = TestContext.Current.CancellationToken;
        var wire = new byte[1500];
        Assert.True(DhcpMessageWriter.TryWrite(request, wire, wire.Length, out var n, out _));
        await _client.SendToAsync(wire.AsMemory(0, n), new IPEndPoint(IPAddress.Loopback, _serverPort), ct);
        return await ReceiveAsync(_client, request.TransactionId);
    }

    private static async Task<DhcpMessage> ReceiveAsync(Socket socket, uint xid)
    {
        var ct = TestContext.Current.CancellationToken;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10)); // a bound on a hang, not a timing assertion
        var buffer = new byte[2048];
        var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
        var reply = new DhcpMessage();
        Assert.Equal(DhcpParseError.None, reply.Parse(buffer.AsSpan(0, received.ReceivedBytes)));
        Assert.Equal(xid, reply.TransactionId);
        return reply;
    }

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private sealed class RecordingObserver : IDhcpTransportObserver
    {
        public System.Threading.Channels.Channel<DhcpParseError> Rejections { get; } =
            System.Threading.Channels.Channel.CreateUnbounded<DhcpParseError>();
        public ConcurrentQueue<Exception> Failures { get; } = new();

        public void OnRejected(string interfaceName, IPEndPoint source, DhcpParseError error) => Rejections.Writer.TryWrite(error);
        public void OnHandled(string interfaceName, DhcpMessage request, in DhcpEngineResult result) { }
        public void OnSendFailed(string interfaceName, in DhcpEngineResult result, Exception error) => Failures.Enqueue(error);
        public void OnReceiveFailed(string interfaceName, int port, Exception error) => Failures.Enqueue(error);
        public void OnClientUnicastUnavailable(string interfaceName, string reason) => Failures.Enqueue(new InvalidOperationException(reason));
    }
}
