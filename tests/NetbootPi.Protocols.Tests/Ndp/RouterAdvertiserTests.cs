using NetbootPi.Protocols.Ndp;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Tests.Ndp;

/// <summary>The advertiser's socket life cycle on a real interface (root: raw ICMPv6 socket).</summary>
public class RouterAdvertiserTests
{
    [Fact]
    public async Task Keeps_listening_and_stops_cleanly_when_the_first_advertisement_cannot_be_sent()
    {
        if (Environment.UserName != "root") Assert.Skip("needs root (a raw ICMPv6 socket)");
        // The loopback has no link-local address and no multicast: the unsolicited advertisement fails, as on
        // a link that has just come up. The socket must still receive (it was implicitly bound only by a
        // successful send before) and the advertiser must stop without an error.
        var index = int.Parse(File.ReadAllText("/sys/class/net/lo/ifindex").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var advertiser = new RouterAdvertiser("lo", index, MacAddress.Parse("02:00:00:00:00:01"));
        Assert.False(advertiser.Advertise());
        advertiser.Start();
        Assert.False(advertiser.IsStopped, "the receive loop ended right after starting");
        await advertiser.DisposeAsync();
        Assert.True(advertiser.IsStopped);
    }
}
