using NetbootPi.Protocols.Tftp;

namespace NetbootPi.Protocols.Tests.Tftp;

public class TftpNegotiationTests
{
    private static TftpRequest Request(TftpTransferMode mode, params (string, string)[] options) =>
        new(TftpOpcode.ReadRequest, "f", mode, options.Select(o => new KeyValuePair<string, string>(o.Item1, o.Item2)).ToList());

    [Fact]
    public void NoOptionsMeansNoOackAndRfc1350Defaults()
    {
        var p = TftpTransferParameters.Negotiate(Request(TftpTransferMode.Octet), new TftpServerOptions(), 100);
        Assert.Empty(p.OptionAck);
        Assert.Equal(512, p.BlockSize);
        Assert.Equal(1, p.WindowSize);
        Assert.Equal(TimeSpan.FromSeconds(1), p.Timeout);
    }

    [Fact]
    public void GrantsOptionsInRequestOrderAndIgnoresUnknownOnes()
    {
        var request = Request(TftpTransferMode.Octet, ("windowsize", "16"), ("frobnicate", "1"), ("tsize", "0"), ("timeout", "3"), ("blksize", "1024"));
        var p = TftpTransferParameters.Negotiate(request, new TftpServerOptions(), 123456);
        Assert.Equal([new("windowsize", "16"), new("tsize", "123456"), new("timeout", "3"), new("blksize", "1024")], p.OptionAck);
        Assert.Equal(1024, p.BlockSize);
        Assert.Equal(16, p.WindowSize);
        Assert.Equal(TimeSpan.FromSeconds(3), p.Timeout);
    }

    [Theory]
    [InlineData(1500, false, "65464", "1468")]  // capped to the MTU: 1500 - 20 IP - 8 UDP - 4 TFTP
    [InlineData(9000, false, "65464", "8968")]
    [InlineData(1500, true, "65464", "65464")]  // fragmentation allowed
    [InlineData(1500, true, "99999", "65464")]  // above the RFC 2348 maximum: granted the maximum
    [InlineData(1500, false, "8", "8")]         // RFC 2348 minimum
    [InlineData(1500, false, "512", "512")]
    public void CapsBlockSize(int mtu, bool fragment, string asked, string granted)
    {
        var p = TftpTransferParameters.Negotiate(Request(TftpTransferMode.Octet, ("blksize", asked)),
            new TftpServerOptions { Mtu = mtu, AllowFragmentation = fragment }, 0);
        Assert.Equal([new("blksize", granted)], p.OptionAck);
        Assert.Equal(int.Parse(granted), p.BlockSize);
    }

    [Theory]
    [InlineData(1420, "1388")]  // a WireGuard tunnel's MTU, asked per request, wins over the configured 1500
    [InlineData(9000, "8968")]
    public void CapsBlockSizeAtTheRequestInterfacesMtu(int mtu, string granted)
    {
        var p = TftpTransferParameters.Negotiate(Request(TftpTransferMode.Octet, ("blksize", "65464")), new TftpServerOptions(), 0, mtu);
        Assert.Equal([new("blksize", granted)], p.OptionAck);
    }

    [Theory]
    [InlineData("blksize", "7")]       // below the RFC 2348 range
    [InlineData("blksize", "-1")]
    [InlineData("blksize", "0x200")]
    [InlineData("blksize", "")]
    [InlineData("blksize", "99999999999")]
    [InlineData("timeout", "0")]       // RFC 2349: 1..255
    [InlineData("timeout", "256")]
    [InlineData("windowsize", "0")]    // RFC 7440: 1..65535
    [InlineData("windowsize", "65536")]
    [InlineData("tsize", "x")]
    public void LeavesOutOfRangeValuesOutOfTheOack(string name, string value)
    {
        var p = TftpTransferParameters.Negotiate(Request(TftpTransferMode.Octet, (name, value)), new TftpServerOptions(), 10);
        Assert.Empty(p.OptionAck);
        Assert.Equal(512, p.BlockSize);
        Assert.Equal(1, p.WindowSize);
    }

    [Fact]
    public void CapsWindowSizeAtTheServerMaximum()
    {
        var p = TftpTransferParameters.Negotiate(Request(TftpTransferMode.Octet, ("windowsize", "65535")), new TftpServerOptions { MaxWindowSize = 32 }, 0);
        Assert.Equal([new("windowsize", "32")], p.OptionAck);
        Assert.Equal(32, p.WindowSize);
    }

    [Fact]
    public void DoesNotGrantTsizeForAnEmptyFile()
    {
        var p = TftpTransferParameters.Negotiate(Request(TftpTransferMode.Octet, ("tsize", "0")), new TftpServerOptions(), 0);
        Assert.Empty(p.OptionAck);
    }

    [Fact]
    public void DoesNotGrantTsizeInNetascii()
    {
        var p = TftpTransferParameters.Negotiate(Request(TftpTransferMode.NetAscii, ("tsize", "0"), ("blksize", "1000")), new TftpServerOptions(), 10);
        Assert.Equal([new("blksize", "1000")], p.OptionAck);
    }
}
