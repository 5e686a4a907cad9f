using System.Net;
using System.Net.Sockets;
using NetbootPi.Protocols.Tftp;

namespace NetbootPi.Protocols.Tests.Tftp;

/// <summary>A loopback UDP socket for speaking TFTP by hand to a running server.</summary>
internal sealed class RawUdpClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public RawUdpClient() : this(IPAddress.Loopback) { }

    /// <summary>A client on <paramref name="address"/> (any of 127.0.0.0/8 is this machine's own).</summary>
    public RawUdpClient(IPAddress address) => _socket.Bind(new IPEndPoint(address, 0));

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public void Send(IPEndPoint to, ReadOnlySpan<byte> packet) => _socket.SendTo(packet, to);

    public void SendRequest(IPEndPoint to, TftpOpcode opcode, string file, params (string, string)[] options)
    {
        var buffer = new byte[512];
        var length = TftpPacket.WriteRequest(buffer, opcode, file, "octet",
            options.Select(o => new KeyValuePair<string, string>(o.Item1, o.Item2)).ToList());
        Send(to, buffer.AsSpan(0, length));
    }

    public void SendAck(IPEndPoint to, ushort block)
    {
        Span<byte> ack = stackalloc byte[4];
        TftpPacket.WriteAck(ack, block);
        Send(to, ack);
    }

    /// <summary>The next datagram; fails the test if none arrives within 10 s of real time (a hung server).</summary>
    public async Task<(byte[] Packet, IPEndPoint From)> ReceiveAsync()
    {
        var buffer = new byte[70_000];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
        return (buffer[..result.ReceivedBytes], (IPEndPoint)result.RemoteEndPoint);
    }

    /// <summary>The next datagram, or null when none arrives within <paramref name="wait"/> of real time.</summary>
    public async Task<(byte[] Packet, IPEndPoint From)?> TryReceiveAsync(TimeSpan wait)
    {
        var buffer = new byte[70_000];
        using var cts = new CancellationTokenSource(wait);
        try
        {
            var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
            return (buffer[..result.ReceivedBytes], (IPEndPoint)result.RemoteEndPoint);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public void Dispose() => _socket.Dispose();
}
