using System.Buffers.Binary;

namespace NetbootPi.Protocols.DBus;

/// <summary>Finds where a message ends in a byte stream from its 16-byte fixed header ("Message Format").</summary>
public static class MessageFraming
{
    /// <summary>The fixed part of the header: endianness, type, flags, version, body length, serial, fields length.</summary>
    public const int FixedHeaderLength = 16;

    /// <summary>Looks at the start of <paramref name="received"/> and says whether a whole message is there.</summary>
    public static FrameResult Frame(ReadOnlySpan<byte> received)
    {
        if (received.Length >= 1 && received[0] != (byte)'l' && received[0] != (byte)'B')
            return FrameResult.Malformed(MessageError.BadEndianness);
        if (received.Length < FixedHeaderLength) return FrameResult.NeedMore();

        bool bigEndian = received[0] == (byte)'B';
        uint bodyLength = ReadUInt32(received[4..], bigEndian);
        uint fieldsLength = ReadUInt32(received[12..], bigEndian);
        // Both lengths are checked before adding so the sum cannot overflow, and before anything is allocated.
        if (fieldsLength > DBusLimits.MaxArrayLength) return FrameResult.Malformed(MessageError.ArrayTooLong);
        if (bodyLength > DBusLimits.MaxMessageLength) return FrameResult.Malformed(MessageError.MessageTooLong);
        long headerLength = (FixedHeaderLength + fieldsLength + 7) & ~7L;
        long total = headerLength + bodyLength;
        if (total > DBusLimits.MaxMessageLength) return FrameResult.Malformed(MessageError.MessageTooLong);
        return received.Length >= total ? FrameResult.Complete((int)total) : FrameResult.NeedMore((int)total);
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> bytes, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
}
