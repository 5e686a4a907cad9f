using System.Buffers.Binary;
using System.Text;

namespace NetbootPi.Protocols.DBus;

/// <summary>
/// Reads D-Bus values from a message body (or a whole message) in either byte order.
/// </summary>
/// <remarks>
/// Position 0 of the span must be 8-aligned relative to the start of its message (a body always is), so alignment
/// is computed from the span's own offsets. Bodies handed out by <see cref="DBusMessage"/> have been validated
/// against their signature, so reading them in signature order cannot fail; the throwing <c>Read*</c> methods
/// throw <see cref="DBusProtocolException"/> only when the caller reads types that differ from the signature.
/// </remarks>
public ref partial struct MessageReader
{

    private readonly ReadOnlySpan<byte> _data;
    private readonly bool _bigEndian;
    private int _pos;

    /// <summary>Reads <paramref name="data"/>, which starts 8-aligned within its message.</summary>
    public MessageReader(ReadOnlySpan<byte> data, bool bigEndian)
    {
        _data = data;
        _bigEndian = bigEndian;
    }

    /// <summary>The offset of the next byte to read.</summary>
    public readonly int Position => _pos;

    /// <summary>True when every byte has been read.</summary>
    public readonly bool IsAtEnd => _pos == _data.Length;

    public byte ReadByte() => TryReadByte(out var v) ? v : throw Mismatch("byte");
    public bool ReadBoolean() => TryReadBoolean(out var v, out _) ? v : throw Mismatch("boolean");
    public short ReadInt16() => TryReadUInt16(out var v) ? (short)v : throw Mismatch("int16");
    public ushort ReadUInt16() => TryReadUInt16(out var v) ? v : throw Mismatch("uint16");
    public int ReadInt32() => TryReadUInt32(out var v) ? (int)v : throw Mismatch("int32");
    public uint ReadUInt32() => TryReadUInt32(out var v) ? v : throw Mismatch("uint32");
    public long ReadInt64() => TryReadUInt64(out var v) ? (long)v : throw Mismatch("int64");
    public ulong ReadUInt64() => TryReadUInt64(out var v) ? v : throw Mismatch("uint64");
    public double ReadDouble() => TryReadUInt64(out var v) ? BitConverter.UInt64BitsToDouble(v) : throw Mismatch("double");

    /// <summary>Reads a UNIX_FD: the index into the message's out-of-band file descriptors.</summary>
    public uint ReadUnixFdIndex() => TryReadUInt32(out var v) ? v : throw Mismatch("unix fd");

    /// <summary>The UTF-8 bytes of a string, without its nul; no allocation.</summary>
    public ReadOnlySpan<byte> ReadStringBytes() =>
        TryReadString(out var s, out _) ? s : throw Mismatch("string");

    public string ReadString() => Encoding.UTF8.GetString(ReadStringBytes());

    public string ReadObjectPath() =>
        TryReadObjectPath(out var s, out _) ? Encoding.UTF8.GetString(s) : throw Mismatch("object path");

    /// <summary>The ASCII bytes of a signature, without its nul; no allocation.</summary>
    public ReadOnlySpan<byte> ReadSignatureBytes() =>
        TryReadSignature(out var s, out _) ? s : throw Mismatch("signature");

    public string ReadSignature() => Encoding.ASCII.GetString(ReadSignatureBytes());

    internal bool TryAlign(int alignment, out MessageError error)
    {
        int target = (_pos + alignment - 1) & ~(alignment - 1);
        if (target > _data.Length) { error = MessageError.Truncated; return false; }
        // "The alignment padding must always be made up of nul bytes" (Marshaling).
        if (_data[_pos..target].ContainsAnyExcept((byte)0)) { error = MessageError.NonZeroPadding; return false; }
        _pos = target;
        error = MessageError.None;
        return true;
    }

    internal bool TryReadByte(out byte value)
    {
        if (_pos >= _data.Length) { value = 0; return false; }
        value = _data[_pos++];
        return true;
    }

    internal bool TryReadUInt16(out ushort value)
    {
        value = 0;
        if (!TryAlign(2, out _) || _data.Length - _pos < 2) return false;
        var bytes = _data.Slice(_pos, 2);
        value = _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);
        _pos += 2;
        return true;
    }

    internal bool TryReadUInt32(out uint value)
    {
        value = 0;
        if (!TryAlign(4, out _) || _data.Length - _pos < 4) return false;
        var bytes = _data.Slice(_pos, 4);
        value = _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        _pos += 4;
        return true;
    }

    internal bool TryReadUInt64(out ulong value)
    {
        value = 0;
        if (!TryAlign(8, out _) || _data.Length - _pos < 8) return false;
        var bytes = _data.Slice(_pos, 8);
        value = _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(bytes) : BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        _pos += 8;
        return true;
    }

    internal bool TryReadBoolean(out bool value, out MessageError error)
    {
        value = false;
        int start = _pos;
        if (!TryAlign(4, out error)) return false;
        if (!TryReadUInt32(out uint raw)) { error = MessageError.Truncated; return false; }
        // "Only 0 and 1 are valid values" (Marshaling: BOOLEAN).
        if (raw > 1) { _pos = start; error = MessageError.BadBoolean; return false; }
        value = raw == 1;
        return true;
    }

    internal bool TryReadString(out ReadOnlySpan<byte> value, out MessageError error)
    {
        value = default;
        if (!TryAlign(4, out error)) return false;
        if (!TryReadUInt32(out uint length)) { error = MessageError.Truncated; return false; }
        // The length excludes the nul, which must follow.
        if (length >= (uint)(_data.Length - _pos)) { error = MessageError.Truncated; return false; }
        var bytes = _data.Slice(_pos, (int)length);
        if (_data[_pos + (int)length] != 0 || bytes.Contains((byte)0) || !IsUtf8(bytes))
        {
            error = MessageError.BadString;
            return false;
        }
        _pos += (int)length + 1;
        value = bytes;
        return true;
    }

    internal bool TryReadObjectPath(out ReadOnlySpan<byte> value, out MessageError error)
    {
        if (!TryReadString(out value, out error)) return false;
        if (!DBusNames.IsValidObjectPath(value)) { error = MessageError.BadObjectPath; return false; }
        return true;
    }

    internal bool TryReadSignature(out ReadOnlySpan<byte> value, out MessageError error)
    {
        value = default;
        if (!TryReadByte(out byte length)) { error = MessageError.Truncated; return false; }
        if (length >= _data.Length - _pos) { error = MessageError.Truncated; return false; }
        var bytes = _data.Slice(_pos, length);
        if (_data[_pos + length] != 0 || DBusSignature.Validate(bytes) != SignatureError.None)
        {
            error = MessageError.BadSignature;
            return false;
        }
        _pos += length + 1;
        value = bytes;
        error = MessageError.None;
        return true;
    }

    private static bool IsUtf8(ReadOnlySpan<byte> bytes)
    {
        if (!bytes.ContainsAnyInRange((byte)0x80, (byte)0xff)) return true;
        return System.Text.Unicode.Utf8.IsValid(bytes);
    }

    private readonly DBusProtocolException Mismatch(string what) =>
        new($"cannot read a {what} at body offset {_pos}: the caller's reads do not match the message signature");
}
