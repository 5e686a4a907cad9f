using System.Net;
using System.Net.Sockets;
using System.Text;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Power;

/// <summary>
/// Wake-on-LAN: the "magic packet" AMD's white paper (Magic Packet Technology, 1995) defines, six 0xFF bytes and
/// the target's MAC sixteen times, sent as a UDP broadcast (port 9, discard, by the usual convention) on the
/// target's network, where its network card, powered in standby, looks for it in every frame.
/// </summary>
public static class WakeOnLan
{
    public const int PacketLength = 6 + 16 * 6;
    public const int Port = 9;

    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;

    /// <summary>Writes the magic packet for <paramref name="mac"/> into <paramref name="destination"/> (at least <see cref="PacketLength"/> bytes).</summary>
    public static void Write(MacAddress mac, Span<byte> destination)
    {
        if (destination.Length < PacketLength) throw new ArgumentException($"a magic packet takes {PacketLength} bytes", nameof(destination));
        destination[..6].Fill(0xFF);
        for (var i = 0; i < 16; i++) mac.WriteTo(destination.Slice(6 + i * 6, 6));
    }

    /// <summary>
    /// Sends the magic packet for <paramref name="mac"/> to <paramref name="broadcast"/>:<see cref="Port"/>, out of
    /// <paramref name="interfaceName"/> when given (SO_BINDTODEVICE: a limited or subnet broadcast leaves by the
    /// network's own interface, not whichever the routing table picks; needs CAP_NET_RAW). Without an interface,
    /// a subnet's broadcast address is routed like any address (a directed broadcast, which routers must be set to pass).
    /// </summary>
    public static void Send(MacAddress mac, Ipv4Address broadcast, string? interfaceName)
    {
        Span<byte> packet = stackalloc byte[PacketLength];
        Write(mac, packet);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { EnableBroadcast = true };
        if (interfaceName is not null)
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(interfaceName + "\0"));
        socket.SendTo(packet, new IPEndPoint(broadcast.ToIPAddress(), Port));
    }
}
