using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Tests.Dhcp;

public class DhcpMessageWriterTests
{
    private readonly byte[] _buffer = new byte[1500];

    private static DhcpMessage Offer()
    {
        var m = new DhcpMessage
        {
            Operation = DhcpOperation.BootReply,
            HardwareType = 1,
            HardwareAddressLength = 6,
            TransactionId = 0x01020304,
            Flags = 0x8000,
            YourAddress = Ipv4Address.Parse("10.0.0.50"),
            NextServerAddress = Ipv4Address.Parse("10.0.0.1"),
            GatewayAddress = Ipv4Address.Parse("10.9.0.1"),
        };
        MacAddress.Parse("52:54:00:12:34:56").WriteTo(m.ClientHardwareAddressField);
        m.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Offer, required: true);
        m.Options.SetAddress(DhcpOptionCode.ServerIdentifier, Ipv4Address.Parse("10.0.0.1"), required: true);
        return m;
    }

    [Fact]
    public void Writes_the_header_field_by_field()
    {
        var m = Offer();
        m.BootFileName = "snponly.efi";
        Assert.True(DhcpMessageWriter.TryWrite(m, _buffer, 548, out var n, out var dropped));
        Assert.Equal(0, dropped);
        Assert.Equal(300, n); // padded to the BOOTP minimum
        byte[] expectedHeader =
        [
            2, 1, 6, 0,             // op BOOTREPLY, htype, hlen, hops
            1, 2, 3, 4,             // xid
            0, 0, 0x80, 0,          // secs, flags: broadcast
            0, 0, 0, 0,             // ciaddr
            10, 0, 0, 50,           // yiaddr
            10, 0, 0, 1,            // siaddr
            10, 9, 0, 1,            // giaddr
            0x52, 0x54, 0, 0x12, 0x34, 0x56, // chaddr
        ];
        Assert.Equal(expectedHeader, _buffer[..34]);
        Assert.Equal("snponly.efi"u8.ToArray(), _buffer[108..119]);
        Assert.Equal(0, _buffer[119]);
        Assert.Equal(new byte[] { 99, 130, 83, 99, 53, 1, 2, 54, 4, 10, 0, 0, 1, 255 }, _buffer[236..250]);
        Assert.All(_buffer[250..300], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Round_trips_through_the_parser()
    {
        var m = Offer();
        m.Options.SetString(DhcpOptionCode.HostName, "node1");
        m.Options.SetAddresses(DhcpOptionCode.DomainNameServer, [Ipv4Address.Parse("1.1.1.1"), Ipv4Address.Parse("9.9.9.9")]);
        Assert.True(DhcpMessageWriter.TryWrite(m, _buffer, 548, out var n, out _));
        var back = new DhcpMessage();
        Assert.Equal(DhcpParseError.None, back.Parse(_buffer.AsSpan(0, n)));
        Assert.Equal(DhcpMessageType.Offer, back.MessageType);
        Assert.Equal("node1", back.Options.GetString(DhcpOptionCode.HostName));
        Assert.Equal(8, back.Options.Get(DhcpOptionCode.DomainNameServer).Length);
        Assert.Equal(m.YourAddress, back.YourAddress);
        Assert.Equal(m.TransactionId, back.TransactionId);
    }

    [Fact]
    public void Splits_long_values_into_255_byte_instances_rfc3396()
    {
        var m = Offer();
        var big = Enumerable.Range(0, 600).Select(i => (byte)i).ToArray();
        m.Options.Set(DhcpOptionCode.VendorSpecific, big);
        Assert.True(DhcpMessageWriter.TryWrite(m, _buffer, 1472, out var n, out var dropped));
        Assert.Equal(0, dropped);
        // After 53 (3 bytes) and 54 (6 bytes): 43/255, 43/255, 43/90.
        var at = 240 + 3 + 6;
        Assert.Equal(new byte[] { 43, 255 }, _buffer[at..(at + 2)]);
        Assert.Equal(new byte[] { 43, 255 }, _buffer[(at + 257)..(at + 259)]);
        Assert.Equal(new byte[] { 43, 90 }, _buffer[(at + 514)..(at + 516)]);
        var back = new DhcpMessage();
        Assert.Equal(DhcpParseError.None, back.Parse(_buffer.AsSpan(0, n)));
        Assert.Equal(big, back.Options.Get(DhcpOptionCode.VendorSpecific).ToArray());
    }

    [Fact]
    public void Relay_information_is_written_last_even_when_set_first()
    {
        var m = Offer();
        m.Options.Set(DhcpOptionCode.RelayAgentInformation, [1, 2, 0xAB, 0xCD]);
        m.Options.SetString(DhcpOptionCode.HostName, "x");
        Assert.True(DhcpMessageWriter.TryWrite(m, _buffer, 548, out _, out _));
        // 53, 54, 12, then 82, then END.
        Assert.Equal(new byte[] { 12, 1, (byte)'x', 82, 4, 1, 2, 0xAB, 0xCD, 255 }, _buffer[249..259]);
    }

    [Fact]
    public void Drops_lowest_priority_optional_options_that_do_not_fit()
    {
        var m = Offer();
        // 548 − 240 = 308 bytes of options: 9 for 53+54, 1 for END leaves 298.
        m.Options.Set(DhcpOptionCode.HostName, new byte[200]);      // 202 — fits
        m.Options.Set(DhcpOptionCode.DomainName, new byte[100]);    // 102 — does not fit after 202
        m.Options.Set(DhcpOptionCode.Router, new byte[4]);          // 6 — fits
        m.BootFileName = "in-use"; // file and sname in use: no overload possible
        m.ServerName = "in-use";
        Assert.True(DhcpMessageWriter.TryWrite(m, _buffer, 548, out var n, out var dropped));
        Assert.Equal(1, dropped);
        Assert.True(n <= 548);
        var back = new DhcpMessage();
        Assert.Equal(DhcpParseError.None, back.Parse(_buffer.AsSpan(0, n)));
        Assert.True(back.Options.Contains(DhcpOptionCode.HostName));
        Assert.False(back.Options.Contains(DhcpOptionCode.DomainName));
        Assert.True(back.Options.Contains(DhcpOptionCode.Router));
    }

    [Fact]
    public void Uses_overload_when_file_and_sname_are_free()
    {
        var m = Offer();
        m.Options.Set(DhcpOptionCode.HostName, new byte[250]);     // main: 298 − 3 (option 52) − 252 leaves 43
        m.Options.Set(DhcpOptionCode.DomainName, new byte[100]);   // goes to file (127 free)
        m.Options.Set(DhcpOptionCode.VendorSpecific, new byte[50]); // goes to sname (63 free)
        Assert.True(DhcpMessageWriter.TryWrite(m, _buffer, 548, out var n, out var dropped));
        Assert.Equal(0, dropped);
        Assert.True(n <= 548);
        var back = new DhcpMessage();
        Assert.Equal(DhcpParseError.None, back.Parse(_buffer.AsSpan(0, n)));
        Assert.Equal(3, back.Overload);
        Assert.Equal(100, back.Options.Get(DhcpOptionCode.DomainName).Length);
        Assert.Equal(50, back.Options.Get(DhcpOptionCode.VendorSpecific).Length);
        Assert.Equal(250, back.Options.Get(DhcpOptionCode.HostName).Length);
    }

    [Fact]
    public void Fails_when_required_options_cannot_fit()
    {
        var m = Offer();
        m.Options.Set(DhcpOptionCode.VendorSpecific, new byte[700], required: true);
        Assert.False(DhcpMessageWriter.TryWrite(m, _buffer, 548, out _, out _));
        Assert.True(DhcpMessageWriter.TryWrite(m, _buffer, 1472, out _, out _));
    }

    [Theory]
    [InlineData(0, 548)]      // no option 57: RFC 2131 §2 minimum
    [InlineData(300, 548)]    // below the minimum: ignored
    [InlineData(1500, 1472)]
    public void Max_payload_follows_option_57(int mms, int expected)
    {
        var m = new DhcpMessage();
        if (mms > 0) m.Options.SetUInt16(DhcpOptionCode.MaximumMessageSize, (ushort)mms);
        Assert.Equal(expected, DhcpMessageWriter.MaxPayloadFor(m));
    }
}
