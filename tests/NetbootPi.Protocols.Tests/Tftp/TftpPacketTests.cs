using NetbootPi.Protocols.Tftp;

namespace NetbootPi.Protocols.Tests.Tftp;

public class TftpPacketTests
{
    [Fact]
    public void ParsesReadRequestWithOptions()
    {
        byte[] packet =
        [
            0x00, 0x01,                                     // opcode 1: RRQ
            (byte)'a', (byte)'/', (byte)'b', 0x00,          // filename "a/b"
            (byte)'O', (byte)'c', (byte)'T', (byte)'e', (byte)'T', 0x00, // mode "OcTeT": case-insensitive
            (byte)'B', (byte)'L', (byte)'K', (byte)'S', (byte)'I', (byte)'Z', (byte)'E', 0x00, // option name, upper case
            (byte)'1', (byte)'4', (byte)'6', (byte)'8', 0x00, // value "1468"
            (byte)'t', (byte)'s', (byte)'i', (byte)'z', (byte)'e', 0x00, // option "tsize"
            (byte)'0', 0x00,                                // value "0"
        ];
        Assert.Equal(TftpRejectReason.None, TftpPacket.TryParseRequest(packet, out var request));
        Assert.NotNull(request);
        Assert.Equal(TftpOpcode.ReadRequest, request.Opcode);
        Assert.Equal("a/b", request.FileName);
        Assert.Equal(TftpTransferMode.Octet, request.Mode);
        Assert.Equal([new("blksize", "1468"), new("tsize", "0")], request.Options);
    }

    [Fact]
    public void ParsesWriteRequestInNetascii()
    {
        byte[] packet =
        [
            0x00, 0x02,                          // opcode 2: WRQ
            (byte)'x', 0x00,                     // filename "x"
            (byte)'n', (byte)'e', (byte)'t', (byte)'a', (byte)'s', (byte)'c', (byte)'i', (byte)'i', 0x00, // "netascii"
        ];
        Assert.Equal(TftpRejectReason.None, TftpPacket.TryParseRequest(packet, out var request));
        Assert.Equal(TftpOpcode.WriteRequest, request!.Opcode);
        Assert.Equal(TftpTransferMode.NetAscii, request.Mode);
        Assert.Empty(request.Options);
    }

    public static TheoryData<string, byte[], TftpRejectReason> MalformedRequests => new()
    {
        { "empty datagram", [], TftpRejectReason.TooShort },
        { "one byte", [0x00], TftpRejectReason.TooShort },
        { "opcode 0", [0x00, 0x00, (byte)'a', 0x00, (byte)'o', (byte)'c', (byte)'t', (byte)'e', (byte)'t', 0x00], TftpRejectReason.UnknownOpcode },
        { "opcode 7", [0x00, 0x07], TftpRejectReason.UnknownOpcode },
        { "opcode 0x0101", [0x01, 0x01], TftpRejectReason.UnknownOpcode },
        { "DATA on the request port", [0x00, 0x03, 0x00, 0x01, 0x41], TftpRejectReason.UnexpectedOpcode },
        { "ACK on the request port", [0x00, 0x04, 0x00, 0x01], TftpRejectReason.UnexpectedOpcode },
        { "opcode only", [0x00, 0x01], TftpRejectReason.UnterminatedFileName },
        { "filename without NUL", [0x00, 0x01, (byte)'a', (byte)'b'], TftpRejectReason.UnterminatedFileName },
        { "empty filename", [0x00, 0x01, 0x00, (byte)'o', (byte)'c', (byte)'t', (byte)'e', (byte)'t', 0x00], TftpRejectReason.EmptyFileName },
        { "filename not UTF-8", [0x00, 0x01, 0xC3, 0x28, 0x00, (byte)'o', (byte)'c', (byte)'t', (byte)'e', (byte)'t', 0x00], TftpRejectReason.InvalidFileNameEncoding },
        { "no mode", [0x00, 0x01, (byte)'a', 0x00], TftpRejectReason.UnterminatedMode },
        { "mode without NUL", [0x00, 0x01, (byte)'a', 0x00, (byte)'o', (byte)'c', (byte)'t'], TftpRejectReason.UnterminatedMode },
        { "mode mail (obsolete)", [0x00, 0x01, (byte)'a', 0x00, (byte)'m', (byte)'a', (byte)'i', (byte)'l', 0x00], TftpRejectReason.UnsupportedMode },
        { "empty mode", [0x00, 0x01, (byte)'a', 0x00, 0x00], TftpRejectReason.UnsupportedMode },
        { "option name without NUL", [0x00, 0x01, (byte)'a', 0x00, (byte)'o', (byte)'c', (byte)'t', (byte)'e', (byte)'t', 0x00, (byte)'t', (byte)'s'], TftpRejectReason.MalformedOption },
        { "option without value", [0x00, 0x01, (byte)'a', 0x00, (byte)'o', (byte)'c', (byte)'t', (byte)'e', (byte)'t', 0x00, (byte)'t', 0x00], TftpRejectReason.MalformedOption },
        { "option value without NUL", [0x00, 0x01, (byte)'a', 0x00, (byte)'o', (byte)'c', (byte)'t', (byte)'e', (byte)'t', 0x00, (byte)'t', 0x00, (byte)'1'], TftpRejectReason.MalformedOption },
        { "empty option name", [0x00, 0x01, (byte)'a', 0x00, (byte)'o', (byte)'c', (byte)'t', (byte)'e', (byte)'t', 0x00, 0x00, (byte)'1', 0x00], TftpRejectReason.MalformedOption },
        { "duplicate option, other case", [0x00, 0x01, (byte)'a', 0x00, (byte)'o', (byte)'c', (byte)'t', (byte)'e', (byte)'t', 0x00,
            (byte)'t', 0x00, (byte)'1', 0x00, (byte)'T', 0x00, (byte)'2', 0x00], TftpRejectReason.DuplicateOption },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public void RejectsMalformedRequest(string what, byte[] packet, TftpRejectReason expected)
    {
        Assert.True(expected == TftpPacket.TryParseRequest(packet, out var request), what);
        Assert.Null(request);
    }

    [Fact]
    public void RejectsMoreOptionsThanTheBound()
    {
        var packet = new List<byte> { 0x00, 0x01, (byte)'a', 0x00, (byte)'o', (byte)'c', (byte)'t', (byte)'e', (byte)'t', 0x00 };
        for (var i = 0; i <= TftpPacket.MaxOptions; i++) packet.AddRange([(byte)'o', (byte)('a' + i), 0x00, (byte)'1', 0x00]);
        Assert.Equal(TftpRejectReason.TooManyOptions, TftpPacket.TryParseRequest(packet.ToArray(), out _));
    }

    [Fact]
    public void ParsesAck()
    {
        byte[] packet = [0x00, 0x04, 0xFF, 0xFE]; // opcode 4: ACK, block 65534
        Assert.Equal(TftpRejectReason.None, TftpPacket.TryParseAck(packet, out var block));
        Assert.Equal(65534, block);
    }

    [Theory]
    [InlineData(new byte[] { 0x00 }, TftpRejectReason.TooShort)]
    [InlineData(new byte[] { 0x00, 0x04, 0x00 }, TftpRejectReason.MalformedAck)]             // block number cut short
    [InlineData(new byte[] { 0x00, 0x04, 0x00, 0x01, 0x00 }, TftpRejectReason.MalformedAck)] // trailing byte
    [InlineData(new byte[] { 0x00, 0x03, 0x00, 0x01 }, TftpRejectReason.UnexpectedOpcode)]   // DATA, not ACK
    [InlineData(new byte[] { 0x00, 0x09, 0x00, 0x01 }, TftpRejectReason.UnknownOpcode)]
    public void RejectsMalformedAck(byte[] packet, TftpRejectReason expected) =>
        Assert.Equal(expected, TftpPacket.TryParseAck(packet, out _));

    [Fact]
    public void ParsesError()
    {
        byte[] packet = [0x00, 0x05, 0x00, 0x08, (byte)'n', (byte)'o', 0x00]; // ERROR, code 8, "no"
        Assert.Equal(TftpRejectReason.None, TftpPacket.TryParseError(packet, out var code, out var message));
        Assert.Equal(TftpErrorCode.OptionNegotiationFailed, code);
        Assert.Equal("no", message);
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x05, 0x00 }, TftpRejectReason.MalformedError)]             // code cut short
    [InlineData(new byte[] { 0x00, 0x05, 0x00, 0x01 }, TftpRejectReason.MalformedError)]       // no message at all
    [InlineData(new byte[] { 0x00, 0x05, 0x00, 0x01, 0x41 }, TftpRejectReason.MalformedError)] // message without NUL
    [InlineData(new byte[] { 0x00, 0x04, 0x00, 0x01, 0x00 }, TftpRejectReason.UnexpectedOpcode)]
    public void RejectsMalformedError(byte[] packet, TftpRejectReason expected) =>
        Assert.Equal(expected, TftpPacket.TryParseError(packet, out _, out _));

    [Fact]
    public void WritesDataHeaderAckAndError()
    {
        var buffer = new byte[16];
        TftpPacket.WriteDataHeader(buffer, 0x1234);
        Assert.Equal([0x00, 0x03, 0x12, 0x34], buffer[..4]); // DATA, block 0x1234

        Assert.Equal(4, TftpPacket.WriteAck(buffer, 65535));
        Assert.Equal([0x00, 0x04, 0xFF, 0xFF], buffer[..4]); // ACK, block 65535

        Assert.Equal(8, TftpPacket.WriteError(buffer, TftpErrorCode.UnknownTransferId, "a\nb"));
        Assert.Equal([0x00, 0x05, 0x00, 0x05, (byte)'a', (byte)'?', (byte)'b', 0x00], buffer[..8]); // control chars replaced
    }

    [Fact]
    public void TruncatesErrorMessageToTheBuffer()
    {
        var buffer = new byte[8];
        Assert.Equal(8, TftpPacket.WriteError(buffer, TftpErrorCode.NotDefined, "longer than the room"));
        Assert.Equal([0x00, 0x05, 0x00, 0x00, (byte)'l', (byte)'o', (byte)'n', 0x00], buffer);
    }

    [Fact]
    public void WritesOptionAck()
    {
        var buffer = new byte[32];
        var length = TftpPacket.WriteOptionAck(buffer, [new("blksize", "1468"), new("tsize", "7")]);
        byte[] expected =
        [
            0x00, 0x06,                                                                      // OACK
            (byte)'b', (byte)'l', (byte)'k', (byte)'s', (byte)'i', (byte)'z', (byte)'e', 0x00, // "blksize"
            (byte)'1', (byte)'4', (byte)'6', (byte)'8', 0x00,                               // "1468"
            (byte)'t', (byte)'s', (byte)'i', (byte)'z', (byte)'e', 0x00,                    // "tsize"
            (byte)'7', 0x00,                                                                 // "7"
        ];
        Assert.Equal(expected, buffer[..length]);
        Assert.Equal(-1, TftpPacket.WriteOptionAck(new byte[10], [new("blksize", "1468")]));
    }

    [Fact]
    public void RequestRoundTrips()
    {
        var buffer = new byte[64];
        var length = TftpPacket.WriteRequest(buffer, TftpOpcode.ReadRequest, "dir/f", "netascii", [new("windowsize", "16")]);
        Assert.Equal(TftpRejectReason.None, TftpPacket.TryParseRequest(buffer.AsSpan(0, length), out var request));
        Assert.Equal("dir/f", request!.FileName);
        Assert.Equal("16", request.GetOption("windowsize"));
    }
}
