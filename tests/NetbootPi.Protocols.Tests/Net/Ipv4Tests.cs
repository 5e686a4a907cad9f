using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Tests.Net;

public class Ipv4Tests
{
    [Theory]
    [InlineData("0.0.0.0", 0u)]
    [InlineData("10.69.0.1", 0x0A450001u)]
    [InlineData("255.255.255.255", 0xFFFFFFFFu)]
    public void Parses_dotted_quads(string text, uint value)
    {
        Assert.True(Ipv4Address.TryParse(text, out var a));
        Assert.Equal(value, a.Value);
        Assert.Equal(text, a.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.69.0")]
    [InlineData("10.69.0.1.")]
    [InlineData("10.69.0.256")]
    [InlineData("010.69.0.1")]   // octal to some parsers
    [InlineData("10.69..1")]
    [InlineData("0x0a.0.0.1")]
    [InlineData("1")]
    [InlineData("10.69.0.1/16")]
    [InlineData("10.69.0.1000")]
    public void Rejects_anything_but_strict_dotted_quads(string text) =>
        Assert.False(Ipv4Address.TryParse(text, out _));

    [Fact]
    public void Cidr_gives_network_broadcast_and_membership()
    {
        Assert.True(Ipv4Interface.TryParse("10.69.0.1/16", out var cidr));
        Assert.Equal("10.69.0.1", cidr.Address.ToString());
        Assert.Equal("10.69.0.0/16", cidr.Network.ToString());
        Assert.Equal("10.69.255.255", cidr.Network.BroadcastAddress.ToString());
        Assert.Equal("255.255.0.0", cidr.Network.Mask.ToString());
        Assert.True(cidr.Network.Contains(Ipv4Address.Parse("10.69.20.254")));
        Assert.False(cidr.Network.Contains(Ipv4Address.Parse("10.70.0.1")));
        Assert.True(cidr.Network.HasReservedEnds);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.69.0.0/16", true)]
    [InlineData("10.69.0.0/16", "10.0.0.0/8", true)]
    [InlineData("10.69.0.0/16", "10.70.0.0/16", false)]
    [InlineData("192.168.69.0/24", "192.168.69.128/25", true)]
    [InlineData("0.0.0.0/0", "1.2.3.4/32", true)]
    public void Overlap_is_symmetric(string a, string b, bool overlaps)
    {
        Assert.True(Ipv4Network.TryParse(a, out var na));
        Assert.True(Ipv4Network.TryParse(b, out var nb));
        Assert.Equal(overlaps, na.Overlaps(nb));
        Assert.Equal(overlaps, nb.Overlaps(na));
    }

    [Theory]
    [InlineData("10.69.0.1")]
    [InlineData("10.69.0.1/")]
    [InlineData("10.69.0.1/33")]
    [InlineData("10.69.0.1/016")]
    [InlineData("10.69.0.1/-1")]
    [InlineData("10.69.0.1/1a")]
    [InlineData("/16")]
    public void Rejects_malformed_cidr(string text) => Assert.False(Ipv4Interface.TryParse(text, out _));
}
