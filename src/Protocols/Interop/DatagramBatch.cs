using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Interop;

/// <summary>
/// Reads up to <see cref="Capacity"/> UDP datagrams from an IPv4 socket with one recvmmsg(2), each with its source
/// and, from IP_PKTINFO (which the caller enables on the socket), its destination address. One per receiving
/// thread; the buffers live in native memory for the batch's lifetime.
/// </summary>
/// <remarks>
/// Why not Socket.ReceiveMessageFrom: a DHCP server that is behind reads every datagram to decide what to drop,
/// and per datagram the runtime's call costs a FIONREAD ioctl to know whether another one waits, a recvmsg, and
/// the managed address objects; most of a DISCOVER that is shed anyway (profiled at 4x overload: recvmsg 16%,
/// ioctl 9% of the agent's time). Here a drained queue costs one call per batch.
/// <para>
/// Layouts (LP64: x86_64 and arm64 alike, from &lt;sys/socket.h&gt;, &lt;bits/uio.h&gt;, &lt;netinet/in.h&gt;):
/// struct iovec { void *base; size_t len; } 16 bytes; struct msghdr { void *name @0; socklen_t namelen @8;
/// struct iovec *iov @16; size_t iovlen @24; void *control @32; size_t controllen @40; int flags @48 } 56 bytes;
/// struct mmsghdr { struct msghdr hdr; unsigned int len @56 } 64 bytes; struct sockaddr_in { family @0; port @2
/// (network order); addr @4 } 16 bytes; struct cmsghdr { size_t len @0; int level @8; int type @12 } 16 bytes,
/// then struct in_pktinfo { int ifindex @0; in_addr spec_dst @4; in_addr addr @8 }.
/// </para>
/// </remarks>
internal sealed class DatagramBatch : IDisposable
{
    private const int MmsghdrSize = 64;
    private const int IovecSize = 16;
    private const int SockaddrSize = 16;
    private const int ControlSize = 64;      // CMSG_SPACE(sizeof(struct in_pktinfo)) is 32
    private const int MsgWaitForOne = 0x10000;
    private const int MsgDontWait = 0x40;
    private const int MsgTrunc = 0x20;
    private const int IpProtoIp = 0;
    private const int IpPktInfo = 8;
    private const int EAGAIN = 11;
    private const int EINTR = 4;

    private readonly int _bufferBytes;
    private readonly nint _memory;
    private readonly nint _headers;
    private readonly nint _iovecs;
    private readonly nint _names;
    private readonly nint _controls;
    private readonly nint _buffers;
    private int _used;

    public DatagramBatch(int capacity, int bufferBytes)
    {
        Capacity = capacity;
        _bufferBytes = bufferBytes;
        var total = capacity * (MmsghdrSize + IovecSize + SockaddrSize + ControlSize + bufferBytes);
        _memory = Marshal.AllocHGlobal(total);
        _headers = _memory;
        _iovecs = _headers + capacity * MmsghdrSize;
        _names = _iovecs + capacity * IovecSize;
        _controls = _names + capacity * SockaddrSize;
        _buffers = _controls + capacity * ControlSize;
        for (var i = 0; i < capacity; i++)
        {
            var header = _headers + i * MmsghdrSize;
            var iovec = _iovecs + i * IovecSize;
            Marshal.WriteIntPtr(iovec, 0, _buffers + i * bufferBytes);
            Marshal.WriteInt64(iovec, 8, bufferBytes);
            Marshal.WriteIntPtr(header, 0, _names + i * SockaddrSize);
            Marshal.WriteIntPtr(header, 16, iovec);
            Marshal.WriteInt64(header, 24, 1);
            Marshal.WriteIntPtr(header, 32, _controls + i * ControlSize);
        }
        _used = capacity;
        Reset();
    }

    public int Capacity { get; }

    /// <summary>
    /// Receives what is queued on <paramref name="socket"/> (at most <see cref="Capacity"/>); when
    /// <paramref name="wait"/>, blocks until at least one datagram arrives. Returns how many were received: 0 when
    /// none was waiting (or a signal interrupted the wait). Throws <see cref="SocketException"/> for a socket error
    /// and <see cref="ObjectDisposedException"/> once the socket is closed.
    /// </summary>
    public int Receive(Socket socket, bool wait)
    {
        Reset();
        var handle = socket.SafeHandle;
        var added = false;
        int n;
        try
        {
            // Held so that a concurrent close cannot hand the descriptor to another file mid-call; closing the
            // socket shuts it down first, which ends a blocked call.
            handle.DangerousAddRef(ref added);
            n = Libc.Recvmmsg((int)handle.DangerousGetHandle(), _headers, (uint)Capacity, wait ? MsgWaitForOne : MsgDontWait, 0);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
        if (n >= 0)
        {
            _used = n;
            return n;
        }
        var errno = Marshal.GetLastPInvokeError();
        if (errno is EAGAIN or EINTR) return 0;
        throw new SocketException(errno);
    }

    /// <summary>
    /// Datagram <paramref name="index"/> of the last <see cref="Receive"/>: its payload copied to the start of
    /// <paramref name="destination"/> (cut to its length), its source and destination.
    /// </summary>
    public Datagram Read(int index, byte[] destination)
    {
        var header = _headers + index * MmsghdrSize;
        var length = Marshal.ReadInt32(header, 56);
        var copy = Math.Min(Math.Min(length, _bufferBytes), destination.Length);
        Marshal.Copy(_buffers + index * _bufferBytes, destination, 0, copy);
        var truncated = (Marshal.ReadInt32(header, 48) & MsgTrunc) != 0 || copy < length;
        var name = _names + index * SockaddrSize;
        var port = (ushort)((Marshal.ReadByte(name, 2) << 8) | Marshal.ReadByte(name, 3));
        return new Datagram(copy, truncated, new Ipv4Address(ReadBigEndian32(name + 4)), port, Destination(header));
    }

    private static uint ReadBigEndian32(nint at) => BinaryPrimitives.ReverseEndianness((uint)Marshal.ReadInt32(at));

    /// <summary>The IP destination from the IP_PKTINFO control message, or 0.0.0.0 when there is none.</summary>
    private Ipv4Address Destination(nint header)
    {
        var control = Marshal.ReadIntPtr(header, 32);
        var controlLength = (int)Marshal.ReadInt64(header, 40);
        var offset = 0;
        while (offset + 16 <= controlLength)
        {
            var cmsgLength = (int)Marshal.ReadInt64(control, offset);
            if (cmsgLength < 16) break;
            if (Marshal.ReadInt32(control, offset + 8) == IpProtoIp && Marshal.ReadInt32(control, offset + 12) == IpPktInfo && cmsgLength >= 16 + 12)
                return new Ipv4Address(ReadBigEndian32(control + offset + 16 + 8));
            offset += (cmsgLength + 7) & ~7;
        }
        return Ipv4Address.Any;
    }

    /// <summary>The kernel rewrites namelen, controllen, flags and len of the entries it filled: set them again.</summary>
    private void Reset()
    {
        for (var i = 0; i < _used; i++)
        {
            var header = _headers + i * MmsghdrSize;
            Marshal.WriteInt32(header, 8, SockaddrSize);
            Marshal.WriteInt64(header, 40, ControlSize);
            Marshal.WriteInt32(header, 48, 0);
            Marshal.WriteInt32(header, 56, 0);
        }
        _used = 0;
    }

    public void Dispose() => Marshal.FreeHGlobal(_memory);

    /// <summary>One received datagram: its length as copied, whether it was cut short, where it came from and went to.</summary>
    internal readonly record struct Datagram(int Length, bool Truncated, Ipv4Address Source, int SourcePort, Ipv4Address Destination);
}
