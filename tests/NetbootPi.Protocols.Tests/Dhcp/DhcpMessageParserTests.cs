using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Options;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Tests.Dhcp;

public class DhcpMessageParserTests
{
    private readonly DhcpMessage _m = new();

    [Fact]
    public void Parses_every_header_field_of_a_pxe_discover()
    {
        Assert.Equal(DhcpParseError.None, _m.Parse(DhcpVectors.PxeDiscover()));
        Assert.Equal(DhcpOperation.BootRequest, _m.Operation);
        Assert.Equal(1, _m.HardwareType);
        Assert.Equal(6, _m.HardwareAddressLength);
        Assert.Equal(0, _m.Hops);
        Assert.Equal(0x3903F326u, _m.TransactionId);
        Assert.Equal(4, _m.Seconds);
        Assert.True(_m.IsBroadcast);
        Assert.Equal(Ipv4Address.Any, _m.ClientAddress);
        Assert.Equal(Ipv4Address.Any, _m.YourAddress);
        Assert.Equal(Ipv4Address.Any, _m.NextServerAddress);
        Assert.Equal(Ipv4Address.Any, _m.GatewayAddress);
        Assert.Equal(MacAddress.Parse("52:54:00:12:34:56"), _m.ClientMac);
        Assert.Equal("", _m.ServerName);
        Assert.Equal("", _m.BootFileName);
        Assert.Equal(DhcpMessageType.Discover, _m.MessageType);
    }

    [Fact]
    public void Parses_the_options_of_a_pxe_discover()
    {
        Assert.Equal(DhcpParseError.None, _m.Parse(DhcpVectors.PxeDiscover()));
        Assert.True(_m.Options.TryGetUInt16(DhcpOptionCode.MaximumMessageSize, out var mms));
        Assert.Equal(1472, mms);
        Assert.Equal(new byte[] { 1, 3, 6, 43, 60, 66, 67 }, _m.Options.Get(DhcpOptionCode.ParameterRequestList).ToArray());
        Assert.True(ClientArchitecture.TryGetFirst(_m.Options, out var arch));
        Assert.Equal(ClientArchitecture.EfiBc, arch);
        Assert.True(ClientMachineId.TryGetUuid(_m.Options, out var uuid));
        Assert.Equal(Guid.Parse("01020304-0506-0708-090a-0b0c0d0e0f10"), uuid);
        Assert.True(VendorClass.IsPxeClient(_m.Options));
        Assert.False(IpxeOptions.IsIpxe(_m.Options));
        Assert.Equal(1472 - 28, DhcpMessageWriter.MaxPayloadFor(_m));
        // Options are kept in the order they were received.
        Assert.Equal(DhcpOptionCode.MessageType, _m.Options.CodeAt(0));
        Assert.Equal(DhcpOptionCode.VendorClassIdentifier, _m.Options.CodeAt(_m.Options.Count - 1));
    }

    [Fact]
    public void Pads_are_skipped_and_bytes_after_end_ignored()
    {
        byte[] p = [.. DhcpVectors.DiscoverHeader(), 0, 0, 53, 1, 1, 0, 255, 0xDE, 0xAD, 0xBE];
        Assert.Equal(DhcpParseError.None, _m.Parse(p));
        Assert.Equal(1, _m.Options.Count);
    }

    [Fact]
    public void Repeated_codes_are_concatenated_in_order_rfc3396()
    {
        // Option 43 in three instances: 255 + 255 + 10 bytes.
        var a = Enumerable.Repeat((byte)0xAA, 255).ToArray();
        var b = Enumerable.Repeat((byte)0xBB, 255).ToArray();
        var c = Enumerable.Repeat((byte)0xCC, 10).ToArray();
        byte[] p = [.. DhcpVectors.DiscoverHeader(), 53, 1, 1, 43, 255, .. a, 12, 2, (byte)'p', (byte)'c', 43, 255, .. b, 43, 10, .. c, 255];
        Assert.Equal(DhcpParseError.None, _m.Parse(p));
        Assert.Equal([.. a, .. b, .. c], _m.Options.Get(DhcpOptionCode.VendorSpecific).ToArray());
        Assert.Equal("pc", _m.Options.GetString(DhcpOptionCode.HostName));
    }

    [Fact]
    public void Overload_reads_options_from_file_then_sname()
    {
        var p = DhcpVectors.WithOptions(53, 1, 3, 52, 1, 3, 12, 1, (byte)'a');
        // file (offset 108): more of option 12, then option 50; sname (offset 44): the rest of 12.
        byte[] file = [12, 1, (byte)'b', 50, 4, 10, 0, 0, 7, 255];
        byte[] sname = [0, 12, 1, (byte)'c', 255];
        file.CopyTo(p, 108);
        sname.CopyTo(p, 44);
        Assert.Equal(DhcpParseError.None, _m.Parse(p));
        Assert.Equal(3, _m.Overload);
        Assert.Equal("abc", _m.Options.GetString(DhcpOptionCode.HostName));
        Assert.True(_m.Options.TryGetAddress(DhcpOptionCode.RequestedIpAddress, out var req));
        Assert.Equal(Ipv4Address.Parse("10.0.0.7"), req);
        // The fields carry options, so they are not names.
        Assert.Equal("", _m.BootFileName);
        Assert.Equal("", _m.ServerName);
    }

    [Fact]
    public void Without_overload_file_and_sname_are_names()
    {
        var p = DhcpVectors.WithOptions(53, 1, 1);
        "pxelinux.0"u8.CopyTo(p.AsSpan(108));
        "boot"u8.CopyTo(p.AsSpan(44));
        Assert.Equal(DhcpParseError.None, _m.Parse(p));
        Assert.Equal("pxelinux.0", _m.BootFileName);
        Assert.Equal("boot", _m.ServerName);
    }

    [Fact]
    public void Zero_length_variable_options_are_kept_as_empty_values()
    {
        Assert.Equal(DhcpParseError.None, _m.Parse(DhcpVectors.WithOptions(53, 1, 1, 77, 0, 175, 0)));
        Assert.True(_m.Options.TryGet(DhcpOptionCode.UserClass, out var uc));
        Assert.Equal(0, uc.Length);
        Assert.True(IpxeOptions.IsIpxe(_m.Options));
    }

    public static TheoryData<string, byte[], DhcpParseError> Malformed() => new()
    {
        { "empty", [], DhcpParseError.TooShort },
        { "header cut inside chaddr", DhcpVectors.DiscoverHeader()[..40], DhcpParseError.TooShort },
        { "header without cookie", DhcpVectors.DiscoverHeader()[..236], DhcpParseError.TooShort },
        { "cookie cut", DhcpVectors.DiscoverHeader()[..239], DhcpParseError.TooShort },
        { "op 0", Patch(DhcpVectors.WithOptions(53, 1, 1), 0, 0), DhcpParseError.BadOperation },
        { "op 3", Patch(DhcpVectors.WithOptions(53, 1, 1), 0, 3), DhcpParseError.BadOperation },
        { "hlen 17", Patch(DhcpVectors.WithOptions(53, 1, 1), 2, 17), DhcpParseError.BadHardwareLength },
        { "bootp vendor area (no cookie)", Patch(DhcpVectors.WithOptions(53, 1, 1), 236, 0), DhcpParseError.BadMagicCookie },
        { "cookie reversed", Patch(Patch(DhcpVectors.WithOptions(53, 1, 1), 236, 99), 237, 83), DhcpParseError.BadMagicCookie },
        { "no options at all", DhcpVectors.DiscoverHeader(), DhcpParseError.MissingEnd },
        { "missing END", [.. DhcpVectors.DiscoverHeader(), 53, 1, 1], DhcpParseError.MissingEnd },
        { "only pads, no END", [.. DhcpVectors.DiscoverHeader(), 0, 0, 0], DhcpParseError.MissingEnd },
        { "code without length byte", [.. DhcpVectors.DiscoverHeader(), 53, 1, 1, 12], DhcpParseError.OptionOverrun },
        { "length past end", [.. DhcpVectors.DiscoverHeader(), 53, 1, 1, 12, 9, 65, 66], DhcpParseError.OptionOverrun },
        { "length 255 past end", [.. DhcpVectors.DiscoverHeader(), 53, 255, 1, 255], DhcpParseError.OptionOverrun },
        { "no message type (BOOTP)", DhcpVectors.WithOptions(12, 1, 65), DhcpParseError.MissingMessageType },
        { "message type length 0", DhcpVectors.WithOptions(53, 0), DhcpParseError.BadOptionLength },
        { "message type length 2", DhcpVectors.WithOptions(53, 2, 1, 1), DhcpParseError.BadOptionLength },
        { "message type repeated (joins to 2 bytes)", DhcpVectors.WithOptions(53, 1, 1, 53, 1, 3), DhcpParseError.BadOptionLength },
        { "message type 0", DhcpVectors.WithOptions(53, 1, 0), DhcpParseError.BadMessageType },
        { "message type 9", DhcpVectors.WithOptions(53, 1, 9), DhcpParseError.BadMessageType },
        { "requested ip 3 bytes", DhcpVectors.WithOptions(53, 1, 3, 50, 3, 10, 0, 0), DhcpParseError.BadOptionLength },
        { "server id 0 bytes", DhcpVectors.WithOptions(53, 1, 3, 54, 0), DhcpParseError.BadOptionLength },
        { "lease time 5 bytes", DhcpVectors.WithOptions(53, 1, 3, 51, 5, 0, 0, 0, 0, 0), DhcpParseError.BadOptionLength },
        { "max message size 1 byte", DhcpVectors.WithOptions(53, 1, 1, 57, 1, 2), DhcpParseError.BadOptionLength },
        { "client id 1 byte", DhcpVectors.WithOptions(53, 1, 1, 61, 1, 1), DhcpParseError.BadOptionLength },
        { "client arch odd length", DhcpVectors.WithOptions(53, 1, 1, 93, 3, 0, 7, 0), DhcpParseError.BadOptionLength },
        { "client arch empty", DhcpVectors.WithOptions(53, 1, 1, 93, 0), DhcpParseError.BadOptionLength },
        { "overload 0", DhcpVectors.WithOptions(53, 1, 1, 52, 1, 0), DhcpParseError.BadOverload },
        { "overload 4", DhcpVectors.WithOptions(53, 1, 1, 52, 1, 4), DhcpParseError.BadOverload },
        { "overload length 2", DhcpVectors.WithOptions(53, 1, 1, 52, 2, 1, 1), DhcpParseError.BadOverload },
        { "overload twice", DhcpVectors.WithOptions(53, 1, 1, 52, 1, 1, 52, 1, 1), DhcpParseError.BadOverload },
        // file is all zeros: pads to its end, never an END.
        { "overload into a file without END", DhcpVectors.WithOptions(53, 1, 1, 52, 1, 1), DhcpParseError.MissingEnd },
        { "overload into a file holding a name", FileName(), DhcpParseError.MissingEnd },
        { "overload into a file whose last option overruns", FileOverrun(), DhcpParseError.OptionOverrun },
        { "overload inside the overloaded file", OverloadInFile(), DhcpParseError.BadOverload },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Rejects_malformed(string why, byte[] packet, DhcpParseError expected)
    {
        Assert.Equal(expected, _m.Parse(packet));
        Assert.NotNull(why);
    }

    [Fact]
    public void Huge_repeated_options_are_bounded_by_the_packet()
    {
        // 200 instances of a 255-byte option 43 in a 52 KB datagram join into 51,000 bytes.
        var opts = new List<byte> { 53, 1, 1 };
        for (var i = 0; i < 200; i++)
        {
            opts.Add(43);
            opts.Add(255);
            opts.AddRange(Enumerable.Repeat((byte)i, 255));
        }
        Assert.Equal(DhcpParseError.None, _m.Parse(DhcpVectors.WithOptions([.. opts])));
        Assert.Equal(200 * 255, _m.Options.Get(DhcpOptionCode.VendorSpecific).Length);
    }

    [Fact]
    public void A_reused_message_forgets_the_previous_packet()
    {
        Assert.Equal(DhcpParseError.None, _m.Parse(DhcpVectors.PxeDiscover()));
        Assert.Equal(DhcpParseError.None, _m.Parse(DhcpVectors.WithOptions(53, 1, 3)));
        Assert.Equal(1, _m.Options.Count);
        Assert.False(_m.Options.Contains(DhcpOptionCode.VendorClassIdentifier));
        Assert.Equal(DhcpMessageType.Request, _m.MessageType);
    }

    private static byte[] Patch(byte[] p, int offset, byte value)
    {
        p[offset] = value;
        return p;
    }

    private static byte[] FileName()
    {
        var p = DhcpVectors.WithOptions(53, 1, 1, 52, 1, 1);
        // A boot file name where options were promised: 'p' = code 112, 'x' = length 120, then pads, no END.
        "pxelinux.0"u8.CopyTo(p.AsSpan(108));
        return p;
    }

    private static byte[] FileOverrun()
    {
        var p = DhcpVectors.WithOptions(53, 1, 1, 52, 1, 1);
        p[108 + 126] = 12; // option 12 with length 5 in the last two bytes of file
        p[108 + 127] = 5;
        return p;
    }

    private static byte[] OverloadInFile()
    {
        var p = DhcpVectors.WithOptions(53, 1, 1, 52, 1, 1);
        new byte[] { 52, 1, 2, 255 }.CopyTo(p, 108);
        return p;
    }
}
