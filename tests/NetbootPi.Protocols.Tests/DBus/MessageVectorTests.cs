using NetbootPi.Protocols.DBus;

namespace NetbootPi.Protocols.Tests.DBus;

/// <summary>Whole messages: header layout, framing, and every way a header can be malformed.</summary>
public class MessageVectorTests
{
    // org.freedesktop.DBus.Hello as every client sends it first (128 bytes, the same as libdbus writes).
    private static readonly byte[] Hello = Hex.Bytes(
        "6c 01 00 01                   // 0: 'l' little-endian, METHOD_CALL, no flags, protocol version 1",
        "00 00 00 00                   // 4: body length 0",
        "01 00 00 00                   // 8: serial 1",
        "6d 00 00 00                   // 12: header fields array: 109 bytes",
        "01 01 6f 00                   // 16: field PATH, variant signature 'o'",
        "15 00 00 00                   // 20: length 21",
        Hex.Of("/org/freedesktop/DBus") + " 00 // 24: the path, nul",
        "00 00                         // 46: pad to 8",
        "02 01 73 00                   // 48: field INTERFACE, 's'",
        "14 00 00 00                   // 52: length 20",
        Hex.Of("org.freedesktop.DBus") + " 00 // 56",
        "00 00 00                      // 77: pad to 8",
        "03 01 73 00                   // 80: field MEMBER, 's'",
        "05 00 00 00                   // 84: length 5",
        Hex.Of("Hello") + " 00         // 88",
        "00 00                         // 94: pad to 8",
        "06 01 73 00                   // 96: field DESTINATION, 's'",
        "14 00 00 00                   // 100: length 20",
        Hex.Of("org.freedesktop.DBus") + " 00 // 104: ends at 125 = 16 + 109",
        "00 00 00                      // 125: pad the header to 8; no body");

    // A big-endian signal /a a.b.C carrying UINT32 42, as a big-endian peer would send it.
    private static byte[] BigEndianSignal() => Hex.Bytes(
        "42 04 00 01                   // 0: 'B' big-endian, SIGNAL, no flags, version 1",
        "00 00 00 04                   // 4: body length 4",
        "00 00 00 07                   // 8: serial 7",
        "00 00 00 37                   // 12: header fields: 55 bytes",
        "01 01 6f 00 00 00 00 02 2f 61 00 // 16: PATH 'o' '/a'",
        "00 00 00 00 00                // 27: pad to 8",
        "02 01 73 00 00 00 00 03 61 2e 62 00 // 32: INTERFACE 's' 'a.b'",
        "00 00 00 00                   // 44: pad to 8",
        "03 01 73 00 00 00 00 01 43 00 // 48: MEMBER 's' 'C'",
        "00 00 00 00 00 00             // 58: pad to 8",
        "08 01 67 00 01 75 00          // 64: SIGNATURE 'g' 'u', ends at 71 = 16 + 55",
        "00                            // 71: pad to 8",
        "00 00 00 2a                   // 72: body: UINT32 42");

    [Fact]
    public void Writes_Hello_byte_for_byte()
    {
        var writer = MessageWriter.CreateMethodCall("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello");
        using var message = writer.CreateMessage();
        message.SetSerial(1);
        Assert.Equal(Hex.Format(Hello), Hex.Format(message.Memory.Span));
    }

    [Fact]
    public void Parses_Hello()
    {
        Assert.Equal(FrameResult.Complete(128), MessageFraming.Frame(Hello));
        Assert.Equal(MessageError.None, DBusMessage.TryParse(Hello, out var message));
        using (message)
        {
            Assert.Equal(DBusMessageType.MethodCall, message!.Type);
            Assert.Equal(1u, message.Serial);
            Assert.Equal("/org/freedesktop/DBus", message.Path);
            Assert.Equal("org.freedesktop.DBus", message.Interface);
            Assert.Equal("Hello", message.Member);
            Assert.Equal("org.freedesktop.DBus", message.Destination);
            Assert.Equal("", message.Signature);
            Assert.Equal(0, message.BodyLength);
        }
    }

    [Fact]
    public void Reads_a_big_endian_message()
    {
        var bytes = BigEndianSignal();
        Assert.Equal(76, bytes.Length);
        Assert.Equal(MessageError.None, DBusMessage.TryParse(bytes, out var message));
        using (message)
        {
            Assert.True(message!.IsBigEndian);
            Assert.Equal(DBusMessageType.Signal, message.Type);
            Assert.Equal(7u, message.Serial);
            Assert.Equal(("/a", "a.b", "C", "u"), (message.Path, message.Interface, message.Member, message.Signature));
            var reader = message.GetBodyReader();
            Assert.Equal(42u, reader.ReadUInt32());
        }
    }

    [Fact]
    public void Framing_keeps_need_more_apart_from_malformed()
    {
        var bytes = BigEndianSignal();
        Assert.Equal(FrameResult.NeedMore(), MessageFraming.Frame([]));
        Assert.Equal(FrameResult.NeedMore(), MessageFraming.Frame(bytes.AsSpan(0, 15)));
        Assert.Equal(FrameResult.NeedMore(76), MessageFraming.Frame(bytes.AsSpan(0, 16)));
        Assert.Equal(FrameResult.NeedMore(76), MessageFraming.Frame(bytes.AsSpan(0, 75)));
        Assert.Equal(FrameResult.Complete(76), MessageFraming.Frame([.. bytes, .. Hello]));
        Assert.Equal(FrameResult.Malformed(MessageError.BadEndianness), MessageFraming.Frame("x"u8));

        var huge = (byte[])bytes.Clone();
        huge[4] = 0x08; // body length 0x08000004: over 128 MiB
        Assert.Equal(FrameResult.Malformed(MessageError.MessageTooLong), MessageFraming.Frame(huge.AsSpan(0, 16)));
        huge[4] = 0xff; // 4 GiB: rejected before anything is allocated
        Assert.Equal(FrameResult.Malformed(MessageError.MessageTooLong), MessageFraming.Frame(huge.AsSpan(0, 16)));
        var fields = (byte[])bytes.Clone();
        fields[12] = 0x04; fields[15] = 0x01; // header fields 64 MiB + 1
        Assert.Equal(FrameResult.Malformed(MessageError.ArrayTooLong), MessageFraming.Frame(fields.AsSpan(0, 16)));
        var sum = (byte[])bytes.Clone();
        sum[4] = 0x07; sum[5] = 0xff; sum[6] = 0xff; sum[7] = 0xf0; // body just under 128 MiB, plus the header: over
        Assert.Equal(FrameResult.Malformed(MessageError.MessageTooLong), MessageFraming.Frame(sum.AsSpan(0, 16)));
    }

    public static TheoryData<string, int, byte, MessageError> Mutations => new()
    {
        { "version 2", 3, 0x02, MessageError.BadProtocolVersion },
        { "message type 0", 1, 0x00, MessageError.BadMessageType },
        { "serial 0", 11, 0x00, MessageError.ZeroSerial },
        { "PATH field typed 's'", 18, (byte)'s', MessageError.BadHeaderField },
        { "MEMBER field typed 'u'", 50, (byte)'u', MessageError.BadHeaderField },
        { "second field also PATH", 32, 0x01, MessageError.BadHeaderField },
        { "path '/-'", 25, (byte)'-', MessageError.BadObjectPath },
        { "member '1'", 56, (byte)'1', MessageError.BadName },
        { "interface 'a-b'", 41, (byte)'-', MessageError.BadName },
        { "padding after PATH not zero", 28, 0x01, MessageError.NonZeroPadding },
        { "padding before the body not zero", 71, 0x01, MessageError.NonZeroPadding },
        { "string without nul", 58 - 1, 0x44, MessageError.BadString },
        { "header signature 'a'", 69, (byte)'a', MessageError.BadSignature },
        { "body signature 'y' with 4 bytes of body", 69, (byte)'y', MessageError.TrailingBytes },
        { "body signature 't' with 4 bytes", 69, (byte)'t', MessageError.Truncated },
        { "body signature 'b' with 42", 69, (byte)'b', MessageError.BadBoolean },
        { "unknown field code 0x50 (ignored)", 48, 0x50, MessageError.MissingHeaderField },
        { "variant signature length past the fields", 65, 0x40, MessageError.Truncated },
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public void Rejects_malformed_headers(string what, int offset, byte value, MessageError expected)
    {
        var bytes = BigEndianSignal();
        bytes[offset] = value;
        Assert.True(expected == DBusMessage.TryParse(bytes, out var message), what);
        Assert.Null(message);
    }

    [Fact]
    public void Unknown_header_fields_are_ignored()
    {
        var writer = MessageWriter.CreateSignal("/a", "a.b", "C");
        using var message = writer.CreateMessage();
        message.SetSerial(3);
        var bytes = message.Memory.ToArray().ToList();
        // Append a field (code 0x50, variant 'i', 5) to the header array and fix the array length; the header
        // fields end at 16 + 42 = 58 (padded to 64); the new field goes at 64 and ends at 72.
        Assert.Equal(42, bytes[12]);
        bytes.RemoveRange(58, bytes.Count - 58);
        bytes.AddRange(Hex.Bytes("00 00 00 00 00 00 // pad to 8", "50 01 69 00 05 00 00 00 // field 0x50, 'i', 5"));
        bytes[12] = 56;
        Assert.Equal(MessageError.None, DBusMessage.TryParse(bytes.ToArray(), out var parsed));
        using (parsed) Assert.Equal("C", parsed!.Member);
    }

    [Fact]
    public void Requires_the_fields_of_each_message_type()
    {
        // A METHOD_RETURN without REPLY_SERIAL: take Hello and change its type.
        var bytes = (byte[])Hello.Clone();
        bytes[1] = (byte)DBusMessageType.MethodReturn;
        Assert.Equal(MessageError.MissingHeaderField, DBusMessage.TryParse(bytes, out _));
        bytes[1] = (byte)DBusMessageType.Error;
        Assert.Equal(MessageError.MissingHeaderField, DBusMessage.TryParse(bytes, out _));
        bytes[1] = (byte)DBusMessageType.Signal; // Hello has PATH, INTERFACE and MEMBER: a valid signal
        Assert.Equal(MessageError.None, DBusMessage.TryParse(bytes, out var signal));
        signal!.Dispose();
        bytes[1] = 9; // unknown types are parsed (and ignored by the connection)
        Assert.Equal(MessageError.None, DBusMessage.TryParse(bytes, out var unknown));
        unknown!.Dispose();
    }

    [Fact]
    public void A_body_needs_a_signature()
    {
        var bytes = Hello.Concat(Hex.Bytes("01 00 00 00")).ToArray();
        bytes[4] = 4; // body length 4, but no SIGNATURE field
        Assert.Equal(MessageError.BodyWithoutSignature, DBusMessage.TryParse(bytes, out _));
    }

    [Fact]
    public void Truncated_or_overlong_input_is_rejected()
    {
        for (int cut = 0; cut < Hello.Length; cut++)
            Assert.Equal(MessageError.Truncated, DBusMessage.TryParse(Hello.AsSpan(0, cut), out _));
        Assert.Equal(MessageError.TrailingBytes, DBusMessage.TryParse([.. Hello, 0], out _));
    }

    [Fact]
    public void Reply_and_error_carry_the_call_serial_and_sender()
    {
        var bytes = (byte[])Hello.Clone();
        Assert.Equal(MessageError.None, DBusMessage.TryParse(bytes, out var call));
        using (call)
        {
            var writer = MessageWriter.CreateMethodReturn(call!, "s");
            writer.WriteString(":1.1");
            using var reply = writer.CreateMessage();
            reply.SetSerial(2);
            Assert.Equal(MessageError.None, DBusMessage.TryParse(reply.Memory.Span, out var parsed));
            using (parsed)
            {
                Assert.Equal((DBusMessageType.MethodReturn, 1u, "s"), (parsed!.Type, parsed.ReplySerial, parsed.Signature));
                Assert.Equal(":1.1", parsed.GetBodyReader().ReadString());
            }

            using var error = MessageWriter.CreateError(call!, "org.example.Error.Nope", "no");
            error.SetSerial(3);
            Assert.Equal(MessageError.None, DBusMessage.TryParse(error.Memory.Span, out var parsedError));
            using (parsedError)
            {
                Assert.Equal(("org.example.Error.Nope", 1u, "no"), (parsedError!.ErrorName, parsedError.ReplySerial, parsedError.ReadErrorMessage()));
            }
        }
    }
}
