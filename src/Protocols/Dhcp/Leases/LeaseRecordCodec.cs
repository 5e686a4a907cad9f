using System.Buffers.Binary;
using System.Text;
using NetbootPi.Protocols.Dhcp.Options;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Leases;

/// <summary>
/// The lease record shared by the journal and the snapshot, in two fixed sizes told apart by the version byte.
/// Fixed sizes keep recovery simple: a torn write can only damage the last record, and its CRC says so.
/// A lease without a host name is written as version 1, byte for byte what agents before version 2 wrote, so
/// files from them load unchanged and files without names stay readable by them.
/// <code>
/// version 1, 28 bytes                   version 2, 92 bytes (a lease with a host name)
/// 0  'L'            magic               0  'L'
/// 1  1              format version      1  2
/// 2  state          DhcpLeaseState      2  state
/// 3  0              reserved            3  name length, 1..63
/// 4  address        IPv4, big-endian    4  address
/// 8  mac            6 bytes             8  mac
/// 14 0 0            reserved            14 0 0
/// 16 expires        Unix ms, int64 BE   16 expires
/// 24 crc32          over bytes 0..23    24 name, ASCII, zero-padded to 63 bytes
///                                       87 0
///                                       88 crc32 over bytes 0..87
/// </code>
/// </summary>
internal static class LeaseRecordCodec
{
    public const int Size = 28;
    public const int NamedSize = 92;
    /// <summary>The most one record takes.</summary>
    public const int MaxSize = NamedSize;
    private const byte Magic = (byte)'L';
    private const byte Version = 1;
    private const byte NamedVersion = 2;

    /// <summary>The bytes <paramref name="lease"/> takes.</summary>
    public static int SizeOf(in DhcpLease lease) => lease.HostName is null ? Size : NamedSize;

    /// <summary>
    /// The size of the record starting at <paramref name="s"/> by its version byte, or 0 when those two bytes are
    /// not a record's start (or missing).
    /// </summary>
    public static int SizeAt(ReadOnlySpan<byte> s) =>
        s.Length < 2 || s[0] != Magic ? 0 : s[1] switch { Version => Size, NamedVersion => NamedSize, _ => 0 };

    /// <summary>Writes the record; returns its size.</summary>
    public static int Write(in DhcpLease lease, Span<byte> d)
    {
        var size = SizeOf(lease);
        d[..size].Clear();
        d[0] = Magic;
        d[1] = lease.HostName is null ? Version : NamedVersion;
        d[2] = (byte)lease.State;
        lease.Address.WriteTo(d[4..]);
        lease.Mac.WriteTo(d[8..]);
        BinaryPrimitives.WriteInt64BigEndian(d[16..], lease.ExpiresAt.ToUnixTimeMilliseconds());
        if (lease.HostName is { } name)
        {
            if (name.Length is 0 or > ClientHostName.MaxLabel || !Ascii.IsValid(name))
                throw new ArgumentException($"a lease's host name is one ASCII label of 1 to 63 bytes, not '{name}'", nameof(lease));
            d[3] = (byte)name.Length;
            Encoding.ASCII.GetBytes(name, d.Slice(24, name.Length));
        }
        BinaryPrimitives.WriteUInt32BigEndian(d[(size - 4)..], Crc32.Compute(d[..(size - 4)]));
        return size;
    }

    /// <summary>False for a record that is short, has a wrong magic/version/state or name, or fails its CRC.</summary>
    public static bool TryRead(ReadOnlySpan<byte> s, out DhcpLease lease)
    {
        lease = default;
        var size = SizeAt(s);
        if (size == 0 || s.Length < size) return false;
        if (BinaryPrimitives.ReadUInt32BigEndian(s[(size - 4)..]) != Crc32.Compute(s[..(size - 4)])) return false;
        var state = (DhcpLeaseState)s[2];
        if (state is not (DhcpLeaseState.Bound or DhcpLeaseState.Released or DhcpLeaseState.Declined)) return false;
        var ms = BinaryPrimitives.ReadInt64BigEndian(s[16..]);
        if (ms < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()) return false;
        string? name = null;
        if (size == NamedSize)
        {
            var length = s[3];
            if (length is 0 or > ClientHostName.MaxLabel) return false;
            var bytes = s.Slice(24, length);
            if (!Ascii.IsValid(bytes) || bytes.IndexOf((byte)0) >= 0) return false;
            name = Encoding.ASCII.GetString(bytes);
        }
        lease = new DhcpLease(Ipv4Address.Read(s[4..]), MacAddress.FromBytes(s.Slice(8, 6)), state,
            DateTimeOffset.FromUnixTimeMilliseconds(ms), name);
        return true;
    }
}
