using System.Buffers;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Transport;

/// <summary>
/// Linux UDP transport for <see cref="DhcpEngine"/>: one socket per served interface and port, each bound to
/// 0.0.0.0 and pinned to its device with SO_BINDTODEVICE, so the arrival interface is known and broadcasts
/// leave through the right link. IP_PKTINFO tells the address a datagram was sent to (the box's address a
/// relay forwards to). Replies that carry a commit ticket are sent only
/// once the lease is durable; the receive loop does not wait for that, so leases queued meanwhile share the
/// next fsync (group commit).
/// </summary>
/// <remarks>
/// RFC 2131 §4.1 unicast to yiaddr at chaddr (<see cref="DhcpRouteKind.ClientHardware"/>) needs an ARP entry
/// for an address the client does not answer ARP for yet; dnsmasq installs one with the SIOCSARP ioctl,
/// udhcpd broadcasts instead. This transport broadcasts on the arrival interface, which every client accepts
/// (it is what a client with the broadcast flag asked for anyway).
/// </remarks>
public sealed class DhcpUdpTransport : IAsyncDisposable
{
    // <asm-generic/socket.h>: the same on x86_64 and arm64.
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;

    private readonly DhcpEngine _engine;
    private readonly ILeaseJournal _journal;
    private readonly DhcpTransportOptions _options;
    private readonly IDhcpTransportObserver _observer;
    private readonly List<(Socket Socket, string Interface, int Role)> _sockets = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    public DhcpUdpTransport(DhcpEngine engine, ILeaseJournal journal, DhcpTransportOptions options, IDhcpTransportObserver observer)
    {
        _engine = engine;
        _journal = journal;
        _options = options;
        _observer = observer;
    }

    /// <summary>Opens every socket (throws if one cannot be bound: a port already taken, a missing interface) and starts receiving.</summary>
    public void Start()
    {
        foreach (var name in _options.Interfaces)
        {
            _sockets.Add((Open(name, _options.ServerPort), name, DhcpEngine.ServerPort));
            if (_options.ListenProxyPort) _sockets.Add((Open(name, _options.ProxyPort), name, DhcpEngine.PxeBootServerPort));
        }
        foreach (var (socket, name, role) in _sockets) _loops.Add(ReceiveLoop(socket, name, role, _stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var (socket, _, _) in _sockets) socket.Dispose();
        await Task.WhenAll(_loops).ConfigureAwait(false);
        _stop.Dispose();
    }

    private static Socket Open(string interfaceName, int port)
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
            s.Bind(new IPEndPoint(IPAddress.Any, port));
            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    private async Task ReceiveLoop(Socket socket, string interfaceName, int role, CancellationToken ct)
    {
        var receive = new byte[2048];
        var reply = new byte[1500];
        var message = new DhcpMessage();
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!ct.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult r;
            try
            {
                r = await socket.ReceiveMessageFromAsync(receive, SocketFlags.None, any, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (!ct.IsCancellationRequested) _observer.OnReceiveFailed(interfaceName, role, e);
                return;
            }
            var source = (IPEndPoint)r.RemoteEndPoint;
            var error = message.Parse(receive.AsSpan(0, r.ReceivedBytes));
            if (error != DhcpParseError.None)
            {
                _observer.OnRejected(interfaceName, source, error);
                continue;
            }
            var context = new DhcpReceiveContext(interfaceName, role, Ipv4Address.FromIPAddress(source.Address), source.Port,
                LocalAddressOf(r.PacketInformation, message, interfaceName));
            var result = _engine.Handle(message, context, reply);
            _observer.OnHandled(interfaceName, result);
            if (result.Disposition != DhcpDisposition.Reply) continue;
            if (result.CommitTicket == 0)
            {
                await SendAsync(socket, interfaceName, reply.AsMemory(0, result.Length), result).ConfigureAwait(false);
                continue;
            }
            // The ACK waits for its lease on its own so that this loop keeps feeding the next commit batch.
            var copy = ArrayPool<byte>.Shared.Rent(result.Length);
            reply.AsSpan(0, result.Length).CopyTo(copy);
            _ = SendAfterCommitAsync(socket, interfaceName, copy, result, ct);
        }
    }

    /// <summary>The datagram's destination if it is a unicast address of the box, else see <see cref="DhcpReceiveContext.LocalAddress"/>.</summary>
    private static Ipv4Address LocalAddressOf(IPPacketInformation info, DhcpMessage message, string interfaceName)
    {
        if (info.Address is { AddressFamily: AddressFamily.InterNetwork } destination)
        {
            var a = Ipv4Address.FromIPAddress(destination);
            if (!a.IsAny && a != Ipv4Address.Broadcast && a.Value >> 28 != 0xE) return a;
        }
        // A broadcast. Only a relayed one (RFC 1542 §4.1.1 lets a relay forward to a broadcast address) may need
        // the box's address, so the interface is looked up for those alone and not for every client DISCOVER.
        return message.GatewayAddress.IsAny ? Ipv4Address.Any : InterfaceAddress(interfaceName);
    }

    private static Ipv4Address InterfaceAddress(string interfaceName)
    {
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.Name != interfaceName) continue;
                foreach (var u in nic.GetIPProperties().UnicastAddresses)
                    if (u.Address.AddressFamily == AddressFamily.InterNetwork) return Ipv4Address.FromIPAddress(u.Address);
            }
        }
        catch (NetworkInformationException)
        {
        }
        return Ipv4Address.Any;
    }

    private async Task SendAfterCommitAsync(Socket socket, string interfaceName, byte[] packet, DhcpEngineResult result, CancellationToken ct)
    {
        try
        {
            await _journal.WhenDurableAsync(result.CommitTicket, ct).ConfigureAwait(false);
            await SendAsync(socket, interfaceName, packet.AsMemory(0, result.Length), result).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException e)
        {
            // The lease is not durable: the client must not be promised it. It will retry.
            _observer.OnSendFailed(interfaceName, result, e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(packet);
        }
    }

    private async ValueTask SendAsync(Socket socket, string interfaceName, ReadOnlyMemory<byte> packet, DhcpEngineResult result)
    {
        var route = result.Route;
        var (address, port) = route.Kind switch
        {
            DhcpRouteKind.Relay => (route.Address, _options.RelayPort),
            DhcpRouteKind.ClientAddress => (route.Address, _options.ClientPort),
            DhcpRouteKind.Source => (route.Address, route.Port),
            // Broadcast, and ClientHardware for want of an ARP entry (see the remarks above).
            _ => (Ipv4Address.Broadcast, _options.ClientPort),
        };
        try
        {
            await socket.SendToAsync(packet, SocketFlags.None, new IPEndPoint(address.ToIPAddress(), port)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            _observer.OnSendFailed(interfaceName, result, e);
        }
    }
}
