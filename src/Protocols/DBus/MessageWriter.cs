using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace NetbootPi.Protocols.DBus;

/// <summary>
/// Writes one D-Bus message, little-endian, into a pooled buffer: start it with one of the <c>Create*</c>
/// methods (which write the header), write the body values in signature order, then call
/// <see cref="CreateMessage"/>. Call <see cref="Dispose"/> if the message is abandoned before that.
/// </summary>
/// <remarks>Writing a value that breaks the specification (a bad path, a too long array) is a caller bug and throws.</remarks>
public ref partial struct MessageWriter
{
    private byte[] _buffer;
    private int _pos;
    private int _bodyStart;
    private byte[]? _signature;
    private string? _description;

    private MessageWriter(int capacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
        _pos = 0;
        _bodyStart = -1;
    }

    /// <summary>Bytes written so far, header included.</summary>
    public readonly int Length => _pos;

    public void WriteByte(byte value)
    {
        Reserve(1)[0] = value;
    }

    public void WriteBoolean(bool value) => WriteUInt32(value ? 1u : 0u);

    public void WriteInt16(short value) => WriteUInt16((ushort)value);

    public void WriteUInt16(ushort value)
    {
        Align(2);
        BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);
    }

    public void WriteInt32(int value) => WriteUInt32((uint)value);

    public void WriteUInt32(uint value)
    {
        Align(4);
        BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);
    }

    public void WriteInt64(long value) => WriteUInt64((ulong)value);

    public void WriteUInt64(ulong value)
    {
        Align(8);
        BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);
    }

    public void WriteDouble(double value) => WriteUInt64(BitConverter.DoubleToUInt64Bits(value));

    /// <summary>Writes a UNIX_FD value: an index into the file descriptors sent with the message.</summary>
    public void WriteUnixFdIndex(uint index) => WriteUInt32(index);

    public void WriteString(string value)
    {
        if (value.Contains('\0')) throw new ArgumentException("D-Bus strings cannot contain nul characters", nameof(value));
        int byteCount = Encoding.UTF8.GetByteCount(value);
        WriteUInt32((uint)byteCount);
        var span = Reserve(byteCount + 1);
        Encoding.UTF8.GetBytes(value, span);
        span[byteCount] = 0;
    }

    /// <summary>Writes a string given as UTF-8 bytes (validated).</summary>
    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Contains((byte)0) || !System.Text.Unicode.Utf8.IsValid(utf8))
            throw new ArgumentException("not a valid D-Bus string (UTF-8 without nul)", nameof(utf8));
        WriteUInt32((uint)utf8.Length);
        var span = Reserve(utf8.Length + 1);
        utf8.CopyTo(span);
        span[utf8.Length] = 0;
    }

    public void WriteObjectPath(string path)
    {
        if (!DBusNames.IsValidObjectPath(path)) throw new ArgumentException($"'{path}' is not a valid D-Bus object path", nameof(path));
        WriteString(path);
    }

    public void WriteSignature(string signature)
    {
        var error = DBusSignature.Validate(signature);
        if (error != SignatureError.None) throw new ArgumentException($"'{signature}' is not a valid signature: {error}", nameof(signature));
        WriteByte((byte)signature.Length);
        var span = Reserve(signature.Length + 1);
        Encoding.ASCII.GetBytes(signature, span);
        span[signature.Length] = 0;
    }

    /// <summary>Returns the pooled buffer when the message is not finished with <see cref="CreateMessage"/>.</summary>
    public void Dispose()
    {
        if (_buffer is { Length: > 0 })
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private void Align(int alignment)
    {
        int target = (_pos + alignment - 1) & ~(alignment - 1);
        Reserve(target - _pos).Clear();
    }

    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length == 0) throw new ObjectDisposedException(nameof(MessageWriter));
        if (_pos + count > _buffer.Length)
        {
            if ((long)_pos + count > DBusLimits.MaxMessageLength)
                throw new InvalidOperationException($"a D-Bus message cannot exceed {DBusLimits.MaxMessageLength} bytes");
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _pos + count));
            _buffer.AsSpan(0, _pos).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        var span = _buffer.AsSpan(_pos, count);
        _pos += count;
        return span;
    }
}
