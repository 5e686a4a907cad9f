using NetbootPi.Protocols.Net;
using NetbootPi.Protocols.Power;

namespace NetbootPi.Protocols.Tests.Power;

public class WakeOnLanTests
{
    [Fact]
    public void The_magic_packet_is_six_FF_bytes_and_the_MAC_sixteen_times()
    {
        Span<byte> packet = stackalloc byte[WakeOnLan.PacketLength];
        WakeOnLan.Write(MacAddress.Parse("84:8f:69:e0:d4:0f"), packet);
        Assert.Equal(102, WakeOnLan.PacketLength);
        Assert.Equal(
            "ffffffffffff" +                                          // synchronisation stream
            string.Concat(Enumerable.Repeat("848f69e0d40f", 16)),      // the target's MAC, 16 times
            Convert.ToHexStringLower(packet));
        Assert.Throws<ArgumentException>(() => WakeOnLan.Write(MacAddress.Parse("84:8f:69:e0:d4:0f"), new byte[101]));
    }
}
