using NetbootPi.Protocols.Ndp;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Tests.Ndp;

public class RouterAdvertisementTests
{
    [Fact]
    public void Advertises_nothing_to_configure_and_no_default_router()
    {
        var buffer = new byte[64];
        var n = RouterAdvertisement.Write(buffer, MacAddress.Parse("02:00:00:aa:bb:cc"));
        Assert.Equal(new byte[]
        {
            134, 0,             // type: router advertisement, code 0
            0, 0,               // checksum: the kernel fills it in
            64,                 // cur hop limit
            0x00,               // M = 0, O = 0: no DHCPv6 either
            0, 0,               // router lifetime 0: not a default router
            0, 0, 0, 0,         // reachable time
            0, 0, 0, 0,         // retrans timer
            1, 1,               // option: source link-layer address, 8 octets
            0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc,
        }, buffer[..n]);
    }

    [Theory]
    [InlineData(new byte[] { 133, 0, 0, 0, 0, 0, 0, 0 }, true)]
    [InlineData(new byte[] { 133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 3, 4, 5, 6 }, true)]
    [InlineData(new byte[] { 133, 1, 0, 0, 0, 0, 0, 0 }, false)]  // code must be 0
    [InlineData(new byte[] { 133, 0, 0, 0, 0, 0, 0 }, false)]     // shorter than 8 octets
    [InlineData(new byte[] { 134, 0, 0, 0, 0, 0, 0, 0 }, false)]  // an advertisement, not a solicitation
    [InlineData(new byte[] { }, false)]
    public void Recognises_only_well_formed_solicitations(byte[] icmp, bool expected) =>
        Assert.Equal(expected, RouterAdvertisement.IsRouterSolicitation(icmp));
}
