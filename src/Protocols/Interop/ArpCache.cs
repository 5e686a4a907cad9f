using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Interop;

/// <summary>
/// Adds an entry to the kernel's ARP table (SIOCSARP), as dnsmasq does before it unicasts a DHCP reply to a
/// client that has no address yet and so cannot answer the ARP request the kernel would otherwise send.
/// Needs CAP_NET_ADMIN.
/// </summary>
internal static class ArpCache
{
    // <linux/sockios.h>: a plain number, not an _IOW code; the same on every architecture.
    private const nuint SIOCSARP = 0x8955;
    private const ushort AF_INET = 2;
    private const ushort ARPHRD_ETHER = 1; // <linux/if_arp.h>
    private const int ATF_COM = 0x02;      // completed entry: the hardware address is valid

    /// <summary>
    /// struct arpreq from <c>&lt;linux/if_arp.h&gt;</c>: arp_pa (sockaddr, 16) at 0, arp_ha (sockaddr, 16) at 16,
    /// arp_flags (int) at 32, arp_netmask (sockaddr, 16) at 36, arp_dev (char[IFNAMSIZ = 16]) at 52; 68 bytes.
    /// No pointer- or long-sized member, so x86_64 and arm64 (both LP64, 4-byte int alignment) lay it out
    /// alike; checked with offsetof/sizeof on x86_64.
    /// </summary>
    internal const int RequestSize = 68;

    private const int InterfaceNameSize = 16;

    /// <summary>Writes struct arpreq for "<paramref name="address"/> is at <paramref name="mac"/> on <paramref name="interfaceName"/>".</summary>
    internal static void WriteRequest(Span<byte> request, Ipv4Address address, MacAddress mac, string interfaceName)
    {
        request[..RequestSize].Clear();
        // arp_pa: struct sockaddr_in { sa_family_t family (host order); in_port_t port; struct in_addr addr (network order) }
        BitConverter.TryWriteBytes(request[0..2], AF_INET);
        address.WriteTo(request[4..8]);
        // arp_ha: struct sockaddr { sa_family_t = ARPHRD_ETHER (host order); char sa_data[14] = the MAC }
        BitConverter.TryWriteBytes(request[16..18], ARPHRD_ETHER);
        mac.WriteTo(request[18..24]);
        BitConverter.TryWriteBytes(request[32..36], ATF_COM);
        // arp_dev: NUL-terminated; names longer than IFNAMSIZ - 1 do not exist on Linux.
        Encoding.ASCII.GetBytes(interfaceName.AsSpan(0, Math.Min(interfaceName.Length, InterfaceNameSize - 1)), request[52..]);
    }

    /// <summary>
    /// Adds (or replaces) the entry through <paramref name="socket"/> (any AF_INET socket), using
    /// <paramref name="scratch"/> (<see cref="RequestSize"/> bytes, one per calling thread) for the request.
    /// Returns 0, or the errno of the failure (EPERM without CAP_NET_ADMIN). Throws ObjectDisposedException
    /// when the socket is closed.
    /// </summary>
    internal static int TryAdd(Socket socket, byte[] scratch, Ipv4Address address, MacAddress mac, string interfaceName)
    {
        WriteRequest(scratch, address, mac, interfaceName);
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            // Held so that a concurrent close cannot hand the descriptor number to another file mid-call.
            handle.DangerousAddRef(ref added);
            return Libc.Ioctl((int)handle.DangerousGetHandle(), SIOCSARP, scratch) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }
}
