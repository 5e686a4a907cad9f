using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Interop;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Transport;

/// <summary>
/// Linux UDP transport for <see cref="DhcpEngine"/>: one socket per served interface and port, each bound to
/// 0.0.0.0 and pinned to its device with SO_BINDTODEVICE, so the arrival interface is known and broadcasts
/// leave through the right link; IP_PKTINFO tells the address a datagram was sent to (the box's address a
/// relay forwards to, <see cref="DhcpReceiveContext.LocalAddress"/>). Replies that carry a commit ticket are sent only
/// once the lease is durable; the receive loop does not wait for that, so leases queued meanwhile share the
/// next fsync (group commit).
/// </summary>
/// <remarks>
/// <para>
/// Each socket has its own thread that reads it and handles the requests, sending replies synchronously from it:
/// a DHCP exchange is a few microseconds of work, and handing each datagram between the socket engine's epoll
/// thread and the thread pool cost more CPU than the work itself (context switches, spinning workers). Before each
/// request the thread reads what the kernel holds into a bounded <see cref="DhcpReceiveQueue"/>, which hands out
/// REQUESTs before DISCOVERs and sheds DISCOVERs when the box cannot keep up (counted: <see cref="Shed"/>).
/// Replies that wait for their lease go to one sender thread that wakes once per durable batch, not once per reply.
/// </para>
/// <para>
/// RFC 2131 §4.1 unicast to yiaddr at chaddr (<see cref="DhcpRouteKind.ClientHardware"/>) needs an ARP entry
/// for an address the client does not answer ARP for yet. Like dnsmasq, this transport installs one with the
/// SIOCSARP ioctl (which needs CAP_NET_ADMIN) and then sends to yiaddr; if the kernel refuses, it says so once
/// and broadcasts on the arrival interface instead, which every client accepts.
/// </para>
/// </remarks>
public sealed class DhcpUdpTransport : IAsyncDisposable
{
    // <asm-generic/socket.h>: the same on x86_64 and arm64.
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;
    private const int SoReceiveBufferForce = 33;

    private readonly DhcpEngine _engine;
    private readonly ILeaseJournal _journal;
    private readonly DhcpTransportOptions _options;
    private readonly IDhcpTransportObserver _observer;
    private readonly List<Listener> _listeners = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Queue<CommittedReply> _waiting = new();
    private readonly object _waitingGate = new();
    private readonly SocketAddress _broadcast;
    private Thread? _sender;
    private bool _stopping;
    private int _arpUnavailableReported;

    public DhcpUdpTransport(DhcpEngine engine, ILeaseJournal journal, DhcpTransportOptions options, IDhcpTransportObserver observer)
    {
        _engine = engine;
        _journal = journal;
        _options = options;
        _observer = observer;
        _broadcast = new IPEndPoint(IPAddress.Broadcast, options.ClientPort).Serialize();
    }

    /// <summary>Opens every socket (throws if one cannot be bound: a port already taken, a missing interface) and starts receiving.</summary>
    public void Start()
    {
        foreach (var name in _options.Interfaces)
        {
            _listeners.Add(new Listener(Open(name, _options.ServerPort), name, DhcpEngine.ServerPort));
            if (_options.ListenProxyPort) _listeners.Add(new Listener(Open(name, _options.ProxyPort), name, DhcpEngine.PxeBootServerPort));
        }
        _sender = new Thread(SendCommittedLoop) { IsBackground = true, Name = "dhcp-send-acked" };
        _sender.Start();
        foreach (var listener in _listeners)
        {
            listener.Thread = new Thread(() => ReceiveLoop(listener)) { IsBackground = true, Name = $"dhcp-{listener.Interface}:{listener.Role}" };
            listener.Thread.Start();
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_waitingGate)
        {
            if (_stopping) return;
            _stopping = true;
            Monitor.PulseAll(_waitingGate);
        }
        await _stop.CancelAsync();
        // Closing a socket wakes the thread blocked in its recvfrom (the runtime shuts the socket down first).
        foreach (var listener in _listeners) listener.Socket.Dispose();
        await Task.Run(() =>
        {
            foreach (var listener in _listeners) listener.Thread?.Join();
            _sender?.Join();
        }).ConfigureAwait(false);
        lock (_waitingGate)
        {
            while (_waiting.TryDequeue(out var dropped)) ArrayPool<byte>.Shared.Return(dropped.Packet);
        }
        foreach (var listener in _listeners) listener.Batch.Dispose();
        _stop.Dispose();
    }

    private Socket Open(string interfaceName, int port)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Several sockets share 0.0.0.0:67, one per device; the kernel allows it when each is device-bound
            // before bind and all set SO_REUSEADDR.
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Broadcast, true);
            s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            s.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(interfaceName + "\0"));
            SetReceiveBuffer(s, _options.ReceiveBufferBytes);
            s.Bind(new IPEndPoint(IPAddress.Any, port));
            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A fleet powering on at once sends a burst; requests that find the queue full are lost and each costs its
    /// client a retransmission timeout (4 s and more). SO_RCVBUFFORCE (CAP_NET_ADMIN, which the agent has)
    /// passes net.core.rmem_max; without the capability the plain option gives what the limit allows.
    /// </summary>
    private static void SetReceiveBuffer(Socket s, int bytes)
    {
        if (bytes <= 0) return;
        try
        {
            Span<byte> value = stackalloc byte[sizeof(int)];
            BitConverter.TryWriteBytes(value, bytes);
            s.SetRawSocketOption(SolSocket, SoReceiveBufferForce, value);
        }
        catch (SocketException)
        {
            s.ReceiveBufferSize = bytes;
        }
    }

    /// <summary>The receive loops' progress (one per socket), once <see cref="Start"/> has opened them.</summary>
    public IEnumerable<LoopProgress> Loops => _listeners.Select(l => l.Progress);

    private void ReceiveLoop(Listener listener)
    {
        try
        {
            ReceiveRequests(listener);
        }
        finally
        {
            // A loop that ends (stopped, or its socket gone with its interface) is the service's to replace, not a
            // health failure: the service notices and opens the interface again when it is back.
            listener.Progress.End(null);
        }
    }

    private void ReceiveRequests(Listener listener)
    {
        var progress = listener.Progress;
        var queue = listener.Queue;
        var reply = new byte[1500];
        var message = new DhcpMessage();
        var to = new Scratch();
        while (true)
        {
            // Read the socket dry before each request: the queue, not the kernel, decides what is dropped when
            // this loop falls behind (DhcpReceiveQueue). Blocking only when nothing at all is waiting.
            var wait = queue.Count == 0;
            if (wait) progress.Idle();
            try
            {
                Drain(listener, wait);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (!_stop.IsCancellationRequested) _observer.OnReceiveFailed(listener.Interface, listener.Role, e);
                return;
            }
            if (_stop.IsCancellationRequested) return;
            if (queue.Next() is not { } slot) continue;
            progress.Busy();
            if (!Handle(listener, slot, message, reply, to)) return;
        }
    }

    /// <summary>Moves every datagram the kernel holds for this socket into the listener's queue, a batch per call.</summary>
    private static void Drain(Listener listener, bool wait)
    {
        var queue = listener.Queue;
        var batch = listener.Batch;
        int n;
        do
        {
            n = batch.Receive(listener.Socket, wait);
            wait = false;
            for (var i = 0; i < n; i++)
            {
                var slot = queue.Incoming;
                var datagram = batch.Read(i, slot.Buffer);
                slot.Length = datagram.Length;
                slot.Source = datagram.Source;
                slot.SourcePort = datagram.SourcePort;
                slot.Destination = datagram.Destination;
                queue.Commit();
            }
        }
        while (n == batch.Capacity);
        Interlocked.Exchange(ref listener.ShedDiscovers, queue.ShedDiscovers);
        Interlocked.Exchange(ref listener.ShedOthers, queue.ShedOthers);
        Interlocked.Exchange(ref listener.ShedInforms, queue.ShedInforms);
    }

    /// <summary>Handles one queued request; false when the transport is stopping.</summary>
    private bool Handle(Listener listener, DhcpReceiveQueue.Slot slot, DhcpMessage message, byte[] reply, Scratch to)
    {
        var error = message.Parse(slot.Data);
        if (error != DhcpParseError.None)
        {
            _observer.OnRejected(listener.Interface, new IPEndPoint(slot.Source.ToIPAddress(), slot.SourcePort), error);
            return true;
        }
        var context = new DhcpReceiveContext(listener.Interface, listener.Role, slot.Source, slot.SourcePort,
            LocalAddressOf(slot.Destination, message, listener.Interface));
        var result = _engine.Handle(message, context, reply);
        _observer.OnHandled(listener.Interface, message, result);
        if (result.Disposition != DhcpDisposition.Reply) return true;
        if (result.CommitTicket == 0)
        {
            Send(listener, reply.AsSpan(0, result.Length), result, to);
            return true;
        }
        // The ACK waits for its lease on the sender thread so that this loop keeps feeding the next batch.
        var copy = ArrayPool<byte>.Shared.Rent(result.Length);
        reply.AsSpan(0, result.Length).CopyTo(copy);
        lock (_waitingGate)
        {
            if (_stopping)
            {
                ArrayPool<byte>.Shared.Return(copy);
                return false;
            }
            _waiting.Enqueue(new CommittedReply(listener, copy, result));
            if (_waiting.Count == 1) Monitor.Pulse(_waitingGate);
        }
        return true;
    }

    /// <summary>Requests dropped so far because this transport could not keep up (see <see cref="DhcpReceiveQueue"/>), per interface.</summary>
    public IReadOnlyList<DhcpShedCount> Shed() =>
        [.. _listeners.Select(l => new DhcpShedCount(l.Interface, l.Role, Interlocked.Read(ref l.ShedDiscovers), Interlocked.Read(ref l.ShedOthers),
            Interlocked.Read(ref l.ShedInforms)))];

    /// <summary>The datagram's destination if it is a unicast address of the box, else see <see cref="DhcpReceiveContext.LocalAddress"/>.</summary>
    private static Ipv4Address LocalAddressOf(Ipv4Address destination, DhcpMessage message, string interfaceName)
    {
        if (!destination.IsAny && destination != Ipv4Address.Broadcast && destination.Value >> 28 != 0xE) return destination;
        // A broadcast. Only a relayed one (RFC 1542 §4.1.1 lets a relay forward to a broadcast address) may need
        // the box's address, so the interface is looked up for those alone and not for every client DISCOVER.
        return message.GatewayAddress.IsAny ? Ipv4Address.Any : InterfaceAddress(interfaceName);
    }

    private static Ipv4Address InterfaceAddress(string interfaceName) =>
        LocalInterfaces.Find(interfaceName)?.Ipv4 is [var primary, ..] ? primary.Address : Ipv4Address.Any;

    /// <summary>
    /// Tickets grow in the order replies are queued, so the head of the queue is the oldest: once it is durable,
    /// every reply behind it whose ticket the same fsync covered is ready too, and is sent without waiting again.
    /// </summary>
    private void SendCommittedLoop()
    {
        var to = new Scratch();
        while (true)
        {
            CommittedReply head;
            lock (_waitingGate)
            {
                while (_waiting.Count == 0 && !_stopping) Monitor.Wait(_waitingGate);
                if (_stopping) return;
                head = _waiting.Peek();
            }
            Exception? failure = null;
            try
            {
                _journal.WaitUntilDurable(head.Result.CommitTicket, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (IOException e)
            {
                // The lease is not durable: the client must not be promised it. It will retry.
                failure = e;
            }
            lock (_waitingGate) _waiting.Dequeue();
            if (failure is null) Send(head.Listener, head.Packet.AsSpan(0, head.Result.Length), head.Result, to);
            else _observer.OnSendFailed(head.Listener.Interface, head.Result, failure);
            ArrayPool<byte>.Shared.Return(head.Packet);
        }
    }

    private void Send(Listener listener, ReadOnlySpan<byte> packet, in DhcpEngineResult result, Scratch scratch)
    {
        var route = result.Route;
        var to = scratch.Destination;
        try
        {
            var destination = route.Kind switch
            {
                DhcpRouteKind.Relay => WriteIPv4(to, route.Address, _options.RelayPort),
                DhcpRouteKind.ClientAddress => WriteIPv4(to, route.Address, _options.ClientPort),
                DhcpRouteKind.Source => WriteIPv4(to, route.Address, route.Port),
                DhcpRouteKind.ClientHardware when AddArpEntry(listener, route, scratch.ArpRequest) =>
                    WriteIPv4(to, route.Address, _options.ClientPort),
                // Broadcast, and ClientHardware when no ARP entry could be added.
                _ => _broadcast,
            };
            listener.Socket.SendTo(packet, SocketFlags.None, destination);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            _observer.OnSendFailed(listener.Interface, result, e);
        }
    }

    /// <summary>
    /// The client cannot answer ARP for yiaddr before it has it, so the kernel is told where yiaddr is
    /// (RFC 2131 §4.1; what dnsmasq does). False when it refuses: the caller broadcasts.
    /// </summary>
    private bool AddArpEntry(Listener listener, in DhcpReplyRoute route, byte[] request)
    {
        if (!_options.UnicastToClientHardware) return false;
        var errno = ArpCache.TryAdd(listener.Socket, request, route.Address, route.ClientMac, listener.Interface);
        if (errno == 0) return true;
        if (Interlocked.Exchange(ref _arpUnavailableReported, 1) == 0)
            _observer.OnClientUnicastUnavailable(listener.Interface, Marshal.GetPInvokeErrorMessage(errno));
        return false;
    }

    /// <summary>Per-thread buffers for sending: the destination sockaddr and a struct arpreq.</summary>
    private sealed class Scratch
    {
        public SocketAddress Destination { get; } = new(AddressFamily.InterNetwork);
        public byte[] ArpRequest { get; } = new byte[ArpCache.RequestSize];
    }

    // struct sockaddr_in: family (2 bytes, host order), port (2, network order), address (4, network order).
    private static SocketAddress WriteIPv4(SocketAddress target, Ipv4Address address, int port)
    {
        var bytes = target.Buffer.Span;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[2..4], (ushort)port);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[4..8], address.Value);
        return target;
    }

    private sealed class Listener(Socket socket, string interfaceName, int role)
    {
        // Copies of the queue's counters for other threads (the queue itself belongs to the receive loop).
        public long ShedDiscovers;
        public long ShedOthers;
        public long ShedInforms;
        public DhcpReceiveQueue Queue { get; } = new();
        public DatagramBatch Batch { get; } = new(32, DhcpReceiveQueue.SlotBytes);
        public Socket Socket { get; } = socket;
        public string Interface { get; } = interfaceName;
        public int Role { get; } = role;
        public Thread? Thread { get; set; }

        /// <summary>The receive loop's progress, for the agent's health checks.</summary>
        public LoopProgress Progress { get; } = new($"DHCP on {interfaceName}:{role}");
    }

    private readonly record struct CommittedReply(Listener Listener, byte[] Packet, DhcpEngineResult Result);
}
