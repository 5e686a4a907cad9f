using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Tests.Net;

public class MacAddressTests
{
    [Theory]
    [InlineData("84:8f:69:e0:d4:0f")]
    [InlineData("84-8F-69-E0-D4-0F")]
    [InlineData("848f69e0d40f")]
    [InlineData("848F69E0D40F")]
    public void Accepts_the_spellings_tools_produce(string text)
    {
        Assert.True(MacAddress.TryParse(text, out var mac));
        Assert.Equal("84:8f:69:e0:d4:0f", mac.ToString());
        Assert.Equal("84-8f-69-e0-d4-0f", mac.ToString(MacFormat.Hyphen));
        Assert.Equal("848f69e0d40f", mac.ToString(MacFormat.Bare));
    }

    [Theory]
    [InlineData("")]
    [InlineData("84:8f:69:e0:d4")]          // five octets
    [InlineData("84:8f:69:e0:d4:0f:00")]    // seven
    [InlineData("84:8f:69-e0:d4:0f")]       // mixed separators
    [InlineData("84:8f:69:e0:d4:0g")]       // not hex
    [InlineData("84.8f.69.e0.d4.0f")]       // wrong separator
    [InlineData("848f69e0d40")]             // eleven digits
    [InlineData(" 84:8f:69:e0:d4:0f")]
    public void Rejects_malformed(string text) => Assert.False(MacAddress.TryParse(text, out _));

    [Fact]
    public void Round_trips_bytes_and_knows_its_oui()
    {
        byte[] raw = [0xdc, 0xa6, 0x32, 0x01, 0x02, 0x03];
        var mac = MacAddress.FromBytes(raw);
        var back = new byte[6];
        mac.WriteTo(back);
        Assert.Equal(raw, back);
        Assert.True(mac.HasOui(0xDCA632));
        Assert.False(mac.HasOui(0xB827EB));
        Assert.Equal(0x32, mac[2]);
    }
}
