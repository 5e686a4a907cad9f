using System.Net;
using System.Net.Sockets;
using System.Text;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Ndp;

/// <summary>
/// Answers router solicitations on one interface with <see cref="RouterAdvertisement"/>, and sends one
/// unsolicited advertisement when started. Linux only (SO_BINDTODEVICE); needs CAP_NET_RAW.
/// </summary>
public sealed class RouterAdvertiser : IAsyncDisposable
{
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;
    private static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");
    private static readonly IPAddress AllRouters = IPAddress.Parse("ff02::2");

    private readonly Socket _socket;
    private readonly byte[] _advertisement = new byte[RouterAdvertisement.Length];
    private readonly IPEndPoint _allNodes;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    /// <summary>Opens the raw socket; throws <see cref="SocketException"/> without CAP_NET_RAW or the interface.</summary>
    public RouterAdvertiser(string interfaceName, int interfaceIndex, MacAddress interfaceMac)
    {
        RouterAdvertisement.Write(_advertisement, interfaceMac);
        _allNodes = new IPEndPoint(new IPAddress(AllNodes.GetAddressBytes(), interfaceIndex), 0);
        _socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.IcmpV6);
        try
        {
            _socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(interfaceName + "\0"));
            // RFC 4861 §6.1.2: receivers drop advertisements whose hop limit is not 255.
            _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, 255);
            _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.IpTimeToLive, 255);
            _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, interfaceIndex);
            _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastLoopback, false);
            _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(AllRouters, interfaceIndex));
            // .NET refuses ReceiveFrom on a socket it has not seen bound; only a successful SendTo binds it
            // implicitly, and the first advertisement fails on a link that has just come up.
            _socket.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    /// <summary>True once the solicitation loop has ended (disposed, or the socket failed).</summary>
    internal bool IsStopped => _loop.IsCompleted;

    /// <summary>Sends one unsolicited advertisement and starts answering solicitations.</summary>
    public void Start()
    {
        Advertise();
        _loop = ReceiveLoopAsync(_stop.Token);
    }

    /// <summary>Errors sending are reported to the caller's loop as false; nothing is retried here.</summary>
    public bool Advertise()
    {
        try
        {
            _socket.SendTo(_advertisement, _allNodes);
            return true;
        }
        catch (SocketException)
        {
            // No link-local address yet (the link just came up): the next solicitation will find one.
            return false;
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellation)
    {
        var buffer = new byte[1500];
        EndPoint any = new IPEndPoint(IPAddress.IPv6Any, 0);
        while (!cancellation.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try
            {
                r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellation).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            // Raw ICMPv6 sockets deliver the ICMPv6 message without the IPv6 header.
            if (RouterAdvertisement.IsRouterSolicitation(buffer.AsSpan(0, r.ReceivedBytes))) Advertise();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
