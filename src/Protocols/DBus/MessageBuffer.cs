using System.Buffers;
using System.Buffers.Binary;

namespace NetbootPi.Protocols.DBus;

/// <summary>A finished outgoing message in a pooled buffer; the connection that sends it disposes it.</summary>
public sealed class MessageBuffer : IDisposable
{
    private byte[] _buffer;

    internal MessageBuffer(byte[] buffer, int length, string description)
    {
        _buffer = buffer;
        Length = length;
        Description = description;
    }

    /// <summary>The message in words, e.g. "org.freedesktop.DBus.Hello", for error messages.</summary>
    public string Description { get; }

    /// <summary>The whole message, header and body.</summary>
    public int Length { get; }

    /// <summary>The message's bytes.</summary>
    public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, Length);

    /// <summary>The message type from the header.</summary>
    public DBusMessageType Type => (DBusMessageType)Buffer[1];

    /// <summary>The header flags.</summary>
    public DBusMessageFlags Flags => (DBusMessageFlags)Buffer[2];

    /// <summary>The serial stamped by the connection; 0 until sent.</summary>
    public uint Serial => BinaryPrimitives.ReadUInt32LittleEndian(Buffer.AsSpan(MessageWriter.SerialOffset, 4));

    internal void SetSerial(uint serial) =>
        BinaryPrimitives.WriteUInt32LittleEndian(Buffer.AsSpan(MessageWriter.SerialOffset, 4), serial);

    private byte[] Buffer => _buffer.Length > 0 ? _buffer : throw new ObjectDisposedException(nameof(MessageBuffer));

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }
}
