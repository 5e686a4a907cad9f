using System.Buffers.Binary;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Leases;

/// <summary>
/// The fixed 28-byte lease record shared by the journal and the snapshot. Fixed size keeps recovery simple:
/// a torn write can only damage the last record, and its CRC says so.
/// <code>
/// 0  'L'            magic
/// 1  1              format version
/// 2  state          DhcpLeaseState
/// 3  0              reserved
/// 4  address        IPv4, big-endian
/// 8  mac            6 bytes
/// 14 0 0            reserved
/// 16 expires        Unix milliseconds, int64 big-endian
/// 24 crc32          over bytes 0..23, big-endian
/// </code>
/// </summary>
internal static class LeaseRecordCodec
{
    public const int Size = 28;
    private const byte Magic = (byte)'L';
    private const byte Version = 1;

    public static void Write(in DhcpLease lease, Span<byte> d)
    {
        d[..Size].Clear();
        d[0] = Magic;
        d[1] = Version;
        d[2] = (byte)lease.State;
        lease.Address.WriteTo(d[4..]);
        lease.Mac.WriteTo(d[8..]);
        BinaryPrimitives.WriteInt64BigEndian(d[16..], lease.ExpiresAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt32BigEndian(d[24..], Crc32.Compute(d[..24]));
    }

    /// <summary>False for a record that is short, has a wrong magic/version/state, or fails its CRC.</summary>
    public static bool TryRead(ReadOnlySpan<byte> s, out DhcpLease lease)
    {
        lease = default;
        if (s.Length < Size || s[0] != Magic || s[1] != Version) return false;
        if (BinaryPrimitives.ReadUInt32BigEndian(s[24..]) != Crc32.Compute(s[..24])) return false;
        var state = (DhcpLeaseState)s[2];
        if (state is not (DhcpLeaseState.Bound or DhcpLeaseState.Released or DhcpLeaseState.Declined)) return false;
        var ms = BinaryPrimitives.ReadInt64BigEndian(s[16..]);
        if (ms < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()) return false;
        lease = new DhcpLease(Ipv4Address.Read(s[4..]), MacAddress.FromBytes(s.Slice(8, 6)), state,
            DateTimeOffset.FromUnixTimeMilliseconds(ms));
        return true;
    }
}
