using NetbootPi.Protocols.DBus;

namespace NetbootPi.Protocols.Tests.DBus;

/// <summary>Body encoding, byte for byte; offsets are from the body start, which is 8-aligned in every message.</summary>
public class MarshallingVectorTests
{
    [Fact]
    public void Spec_example_array_of_one_int64_big_endian()
    {
        // The specification's array example: big-endian, an array containing only the 64-bit integer 5.
        var bytes = Hex.Bytes(
            "00 00 00 08             // 0: n = 8 bytes of data",
            "00 00 00 00             // 4: padding to the 8-byte boundary of INT64 (not counted in n)",
            "00 00 00 00 00 00 00 05 // 8: first element = 5");
        Assert.Equal(MessageError.None, new MessageReader(bytes, bigEndian: true).Validate("ax"u8));
        var reader = new MessageReader(bytes, bigEndian: true);
        int end = reader.ReadArrayStart(DBusType.Int64);
        Assert.True(reader.HasNext(end));
        Assert.Equal(5L, reader.ReadInt64());
        Assert.False(reader.HasNext(end));
        Assert.True(reader.IsAtEnd);

        var writer = MessageWriter.CreateBody("ax");
        var array = writer.WriteArrayStart(DBusType.Int64);
        writer.WriteInt64(5);
        writer.WriteArrayEnd(array);
        Assert.Equal(Hex.Bytes("08 00 00 00", "00 00 00 00", "05 00 00 00 00 00 00 00"), writer.ToArray());
        writer.Dispose();
    }

    [Fact]
    public void Basic_types_little_endian_with_their_alignment()
    {
        var writer = MessageWriter.CreateBody("ybnqiuxtdsog");
        writer.WriteByte(0xff);
        writer.WriteBoolean(true);
        writer.WriteInt16(-2);
        writer.WriteUInt16(0x1234);
        writer.WriteInt32(-1);
        writer.WriteUInt32(0x12345678);
        writer.WriteInt64(-3);
        writer.WriteUInt64(0x0102030405060708);
        writer.WriteDouble(1.0);
        writer.WriteString("foo");
        writer.WriteObjectPath("/");
        writer.WriteSignature("a{sv}");
        var expected = Hex.Bytes(
            "ff                      // 0: BYTE 0xff",
            "00 00 00                // 1: pad to 4",
            "01 00 00 00             // 4: BOOLEAN true (a UINT32 1)",
            "fe ff                   // 8: INT16 -2",
            "34 12                   // 10: UINT16 0x1234",
            "ff ff ff ff             // 12: INT32 -1",
            "78 56 34 12             // 16: UINT32 0x12345678",
            "00 00 00 00             // 20: pad to 8",
            "fd ff ff ff ff ff ff ff // 24: INT64 -3",
            "08 07 06 05 04 03 02 01 // 32: UINT64",
            "00 00 00 00 00 00 f0 3f // 40: DOUBLE 1.0 (IEEE 754)",
            "03 00 00 00             // 48: STRING length 3",
            "66 6f 6f 00             // 52: 'foo' and its nul",
            "01 00 00 00 2f 00       // 56: OBJECT_PATH '/'",
            "05 61 7b 73 76 7d 00    // 62: SIGNATURE: length byte 5, 'a{sv}', nul");
        Assert.Equal(expected, writer.ToArray());
        writer.Dispose();

        var reader = new MessageReader(expected, bigEndian: false);
        Assert.Equal(0xff, reader.ReadByte());
        Assert.True(reader.ReadBoolean());
        Assert.Equal(-2, reader.ReadInt16());
        Assert.Equal(0x1234, reader.ReadUInt16());
        Assert.Equal(-1, reader.ReadInt32());
        Assert.Equal(0x12345678u, reader.ReadUInt32());
        Assert.Equal(-3L, reader.ReadInt64());
        Assert.Equal(0x0102030405060708ul, reader.ReadUInt64());
        Assert.Equal(1.0, reader.ReadDouble());
        Assert.Equal("foo", reader.ReadString());
        Assert.Equal("/", reader.ReadObjectPath());
        Assert.Equal("a{sv}", reader.ReadSignature());
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void Dict_of_string_to_variant()
    {
        var writer = MessageWriter.CreateBody("a{sv}");
        var array = writer.WriteArrayStart(DBusType.DictEntryBegin);
        writer.WriteDictEntryStart();
        writer.WriteString("a");
        writer.WriteVariantUInt32(7);
        writer.WriteDictEntryStart();
        writer.WriteString("bc");
        writer.WriteVariantString("d");
        writer.WriteArrayEnd(array);
        var expected = Hex.Bytes(
            "22 00 00 00             // 0: array length 34 (from offset 8 to 42)",
            "00 00 00 00             // 4: pad to 8 for the first dict entry",
            "01 00 00 00 61 00       // 8: key 'a'",
            "01 75 00                // 14: variant signature 'u'",
            "00 00 00                // 17: pad to 4",
            "07 00 00 00             // 20: UINT32 7",
            "02 00 00 00 62 63 00    // 24: second entry (already 8-aligned): key 'bc'",
            "01 73 00                // 31: variant signature 's'",
            "00 00                   // 34: pad to 4",
            "01 00 00 00 64 00       // 36: STRING 'd', ending at 42"
        );
        Assert.Equal(expected, writer.ToArray());
        writer.Dispose();

        var reader = new MessageReader(expected, bigEndian: false);
        int end = reader.ReadArrayStart(DBusType.DictEntryBegin);
        var seen = new Dictionary<string, string>();
        while (reader.HasNext(end))
        {
            reader.AlignStruct();
            string key = reader.ReadString();
            var sig = reader.ReadVariantSignature();
            seen[key] = sig[0] == DBusType.UInt32 ? reader.ReadUInt32().ToString() : reader.ReadString();
        }
        Assert.Equal(new Dictionary<string, string> { ["a"] = "7", ["bc"] = "d" }, seen);
    }

    [Fact]
    public void Empty_arrays_still_pad_to_their_element_alignment()
    {
        var writer = MessageWriter.CreateBody("yaxaax");
        writer.WriteByte(1);
        writer.WriteArrayEnd(writer.WriteArrayStart(DBusType.Int64));
        writer.WriteArrayEnd(writer.WriteArrayStart(DBusType.Array));
        var expected = Hex.Bytes(
            "01                      // 0: BYTE",
            "00 00 00                // 1: pad to 4",
            "00 00 00 00             // 4: 'ax' length 0",
            "                        // 8: padding to 8 for INT64: none needed here",
            "00 00 00 00             // 8: 'aax' length 0; the element 'ax' aligns to 4, so no padding");
        Assert.Equal(expected, writer.ToArray());
        writer.Dispose();
        Assert.Equal(MessageError.None, new MessageReader(expected, false).Validate("yaxaax"u8));

        // At offset 0 the length ends at 4, so an empty 'ax' still carries 4 bytes of padding.
        var w2 = MessageWriter.CreateBody("ax");
        w2.WriteArrayEnd(w2.WriteArrayStart(DBusType.Int64));
        Assert.Equal(Hex.Bytes("00 00 00 00 // length 0", "00 00 00 00 // padding to 8"), w2.ToArray());
        w2.Dispose();
    }

    [Fact]
    public void Struct_aligns_to_8()
    {
        var writer = MessageWriter.CreateBody("y(yd)");
        writer.WriteByte(1);
        writer.WriteStructStart();
        writer.WriteByte(2);
        writer.WriteDouble(0);
        var expected = Hex.Bytes(
            "01                      // 0: BYTE",
            "00 00 00 00 00 00 00    // 1: pad to 8: a struct starts 8-aligned",
            "02                      // 8: first field",
            "00 00 00 00 00 00 00    // 9: pad to 8 for the DOUBLE",
            "00 00 00 00 00 00 00 00 // 16: DOUBLE 0");
        Assert.Equal(expected, writer.ToArray());
        writer.Dispose();
    }

    [Theory]
    [InlineData("s", "03 00 00 00 66 6f 6f 01", MessageError.BadString)] // no nul terminator
    [InlineData("s", "04 00 00 00 66 6f 6f 00", MessageError.Truncated)] // length runs past the end
    [InlineData("s", "03 00 00 00 66 00 6f 00", MessageError.BadString)] // embedded nul
    [InlineData("s", "02 00 00 00 c3 28 00", MessageError.BadString)] // not UTF-8
    [InlineData("s", "ff ff ff ff 00", MessageError.Truncated)] // 4 GiB length
    [InlineData("s", "03 00 00", MessageError.Truncated)] // length itself cut
    [InlineData("b", "02 00 00 00", MessageError.BadBoolean)]
    [InlineData("yu", "01 00 01 00 05 00 00 00", MessageError.NonZeroPadding)]
    [InlineData("u", "05 00 00", MessageError.Truncated)]
    [InlineData("x", "05 00 00 00 00 00 00", MessageError.Truncated)]
    [InlineData("ai", "01 00 00 04 00", MessageError.ArrayTooLong)] // 64 MiB + 1
    [InlineData("ai", "08 00 00 00 01 00 00 00", MessageError.Truncated)] // 8 bytes promised, 4 present
    [InlineData("ax", "04 00 00 00 00 00 00 00 01 00 00 00", MessageError.Truncated)] // not a whole INT64
    [InlineData("as", "05 00 00 00 01 00 00 00 61 00", MessageError.Truncated)] // element overruns the array
    [InlineData("ab", "04 00 00 00 03 00 00 00", MessageError.BadBoolean)]
    [InlineData("o", "02 00 00 00 2f 2f 00", MessageError.BadObjectPath)] // '//'
    [InlineData("o", "02 00 00 00 61 2f 00", MessageError.BadObjectPath)] // relative
    [InlineData("o", "03 00 00 00 2f 61 2f 00", MessageError.BadObjectPath)] // trailing '/'
    [InlineData("o", "02 00 00 00 2f 2d 00", MessageError.BadObjectPath)] // '-' not allowed
    [InlineData("g", "01 61 00", MessageError.BadSignature)] // 'a' alone
    [InlineData("g", "01 69 01", MessageError.BadSignature)] // no nul
    [InlineData("g", "05 69 00", MessageError.Truncated)]
    [InlineData("v", "02 69 69 00 00 00 00 00 00 00 00 00", MessageError.BadSignature)] // two types in a variant
    [InlineData("v", "00 00", MessageError.BadSignature)] // empty variant signature
    [InlineData("v", "01 69 00 00 01 00", MessageError.Truncated)]
    [InlineData("(yy)", "01", MessageError.Truncated)]
    [InlineData("y", "01 02", MessageError.TrailingBytes)]
    [InlineData("", "00", MessageError.TrailingBytes)]
    [InlineData("a{yy}", "02 00 00 00 00 00 00 00 01 02", MessageError.None)]
    [InlineData("a{yy}", "02 00 00 00 01 00 00 00 01 02", MessageError.NonZeroPadding)] // padding before the entry
    public void Rejects_malformed_values(string signature, string hex, MessageError expected)
    {
        var bytes = Hex.Bytes(hex);
        Assert.Equal(expected, new MessageReader(bytes, false).Validate(System.Text.Encoding.ASCII.GetBytes(signature)));
    }

    [Fact]
    public void Variants_nest_at_most_64_deep()
    {
        Assert.Equal(MessageError.None, Validate(NestedVariants(64)));
        Assert.Equal(MessageError.NestingTooDeep, Validate(NestedVariants(65)));

        static MessageError Validate(byte[] bytes) => new MessageReader(bytes, false).Validate("v"u8);

        // Each level: signature 'v' (01 76 00); the innermost holds BYTE 5 (01 79 00 05).
        static byte[] NestedVariants(int depth)
        {
            var bytes = new List<byte>();
            for (int i = 1; i < depth; i++) bytes.AddRange([0x01, (byte)'v', 0x00]);
            bytes.AddRange([0x01, (byte)'y', 0x00, 0x05]);
            return bytes.ToArray();
        }
    }

    [Fact]
    public void Reading_types_that_differ_from_the_body_throws_a_protocol_error()
    {
        var bytes = Hex.Bytes("01 00 00 00 61 00");
        var ex = Record.Exception(() =>
        {
            var reader = new MessageReader(bytes, false);
            reader.ReadUInt64(); // only 6 bytes
        });
        Assert.IsType<DBusProtocolException>(ex);
    }

    [Fact]
    public void Writer_refuses_values_the_spec_forbids()
    {
        Assert.Throws<ArgumentException>(() => { var w = MessageWriter.CreateBody("o"); try { w.WriteObjectPath("/a/"); } finally { w.Dispose(); } });
        Assert.Throws<ArgumentException>(() => { var w = MessageWriter.CreateBody("s"); try { w.WriteString("a\0b"); } finally { w.Dispose(); } });
        Assert.Throws<ArgumentException>(() => { var w = MessageWriter.CreateBody("v"); try { w.WriteVariantSignature("ii"); } finally { w.Dispose(); } });
        Assert.Throws<ArgumentException>(() => { var w = MessageWriter.CreateBody("g"); try { w.WriteSignature("a"); } finally { w.Dispose(); } });
    }

    [Fact]
    public void A_message_whose_body_does_not_match_its_signature_is_not_created()
    {
        var ex = Record.Exception(() =>
        {
            var w = MessageWriter.CreateSignal("/a", "a.b", "C", "su");
            w.WriteString("only one");
            try { w.CreateMessage(); } finally { w.Dispose(); }
        });
        Assert.IsType<InvalidOperationException>(ex);
    }
}
