using System.Net.Sockets;

namespace NetbootPi.Protocols.Net;

/// <summary>
/// IP_FREEBIND (Linux, <c>&lt;linux/in.h&gt;</c>): a socket may bind an address no interface has yet. At boot the
/// agent can start before networkd puts the site's addresses up; its servers listen anyway and answer once they are.
/// </summary>
public static class FreeBind
{
    private const int SolIp = 0;
    private const int IpFreebind = 15;

    /// <summary>Sets IP_FREEBIND before the socket's bind (on Linux; other systems have no such option).</summary>
    public static void Allow(Socket socket)
    {
        if (OperatingSystem.IsLinux()) socket.SetRawSocketOption(SolIp, IpFreebind, BitConverter.GetBytes(1));
    }
}
