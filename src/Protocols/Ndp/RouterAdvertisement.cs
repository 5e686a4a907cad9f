using System.Buffers.Binary;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Ndp;

/// <summary>
/// The ICMPv6 router advertisement the box sends on a boot network (RFC 4861 §4.2): no prefixes, M and O
/// clear, router lifetime 0. It configures nothing and makes the box no default router; it only tells a
/// booting client that no IPv6 autoconfiguration will come, so iPXE ends its IPv6 wait at once instead of
/// timing out after many seconds.
/// </summary>
public static class RouterAdvertisement
{
    public const byte RouterSolicitationType = 133;
    public const byte RouterAdvertisementType = 134;
    public const int Length = 16 + 8;

    /// <summary>Writes the advertisement; the kernel fills in the ICMPv6 checksum of a raw ICMPv6 socket (RFC 3542 §3.1).</summary>
    public static int Write(Span<byte> destination, MacAddress sourceLinkLayer)
    {
        var b = destination[..Length];
        b.Clear();
        b[0] = RouterAdvertisementType;  // type
        b[1] = 0;                        // code
                                         // [2..4) checksum: kernel
        b[4] = 64;                       // current hop limit advertised to hosts
        b[5] = 0;                        // M = 0, O = 0: no DHCPv6
        BinaryPrimitives.WriteUInt16BigEndian(b[6..], 0);   // router lifetime 0: not a default router
        BinaryPrimitives.WriteUInt32BigEndian(b[8..], 0);   // reachable time: unspecified
        BinaryPrimitives.WriteUInt32BigEndian(b[12..], 0);  // retrans timer: unspecified
        b[16] = 1;                       // option: source link-layer address (§4.6.1)
        b[17] = 1;                       // length in units of 8 octets
        sourceLinkLayer.WriteTo(b[18..24]);
        return Length;
    }

    /// <summary>True for a well-formed router solicitation (§4.1: at least 8 octets, code 0).</summary>
    public static bool IsRouterSolicitation(ReadOnlySpan<byte> icmp) =>
        icmp.Length >= 8 && icmp[0] == RouterSolicitationType && icmp[1] == 0;
}
