using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace NetbootPi.Protocols.Tftp;

/// <summary>
/// Encoding and decoding of TFTP packets. Parsers read from a span, check bounds before every read and return a
/// <see cref="TftpRejectReason"/> instead of throwing; writers fill a caller-supplied buffer and return the length.
/// </summary>
public static class TftpPacket
{
    /// <summary>Opcode and block number in front of every DATA payload (RFC 1350 section 5).</summary>
    public const int DataHeaderLength = 4;

    /// <summary>RFC 2347 sets no limit; real clients send at most five. Bounds the allocations one request can cause.</summary>
    public const int MaxOptions = 16;

    /// <summary>Reads the opcode without judging the rest of the packet.</summary>
    public static TftpRejectReason TryReadOpcode(ReadOnlySpan<byte> packet, out TftpOpcode opcode)
    {
        opcode = default;
        if (packet.Length < 2) return TftpRejectReason.TooShort;
        var raw = BinaryPrimitives.ReadUInt16BigEndian(packet);
        if (raw is < 1 or > 6) return TftpRejectReason.UnknownOpcode;
        opcode = (TftpOpcode)raw;
        return TftpRejectReason.None;
    }

    /// <summary>
    /// Parses an RRQ or WRQ: opcode, filename NUL, mode NUL (RFC 1350 section 5), then name NUL value NUL pairs
    /// (RFC 2347). Option names are lower-cased; values are kept as sent and judged by the negotiation.
    /// </summary>
    public static TftpRejectReason TryParseRequest(ReadOnlySpan<byte> packet, out TftpRequest? request)
    {
        request = null;
        var reason = TryReadOpcode(packet, out var opcode);
        if (reason != TftpRejectReason.None) return reason;
        if (opcode is not (TftpOpcode.ReadRequest or TftpOpcode.WriteRequest)) return TftpRejectReason.UnexpectedOpcode;

        var rest = packet[2..];
        var nul = rest.IndexOf((byte)0);
        if (nul < 0) return TftpRejectReason.UnterminatedFileName;
        if (nul == 0) return TftpRejectReason.EmptyFileName;
        if (!Utf8.IsValid(rest[..nul])) return TftpRejectReason.InvalidFileNameEncoding;
        var fileName = Encoding.UTF8.GetString(rest[..nul]);
        rest = rest[(nul + 1)..];

        nul = rest.IndexOf((byte)0);
        if (nul < 0) return TftpRejectReason.UnterminatedMode;
        TftpTransferMode mode;
        if (Ascii.EqualsIgnoreCase(rest[..nul], "octet"u8)) mode = TftpTransferMode.Octet;
        else if (Ascii.EqualsIgnoreCase(rest[..nul], "netascii"u8)) mode = TftpTransferMode.NetAscii;
        else return TftpRejectReason.UnsupportedMode;
        rest = rest[(nul + 1)..];

        var options = new List<KeyValuePair<string, string>>();
        while (!rest.IsEmpty)
        {
            var nameEnd = rest.IndexOf((byte)0);
            if (nameEnd <= 0) return TftpRejectReason.MalformedOption;
            var afterName = rest[(nameEnd + 1)..];
            var valueEnd = afterName.IndexOf((byte)0);
            if (valueEnd < 0) return TftpRejectReason.MalformedOption;
            if (options.Count == MaxOptions) return TftpRejectReason.TooManyOptions;
            // Names and values are ASCII (RFC 2347); Latin-1 maps every byte so that odd bytes reach the
            // negotiation as unknown names or unparsable values rather than failing the whole request.
            var name = Encoding.Latin1.GetString(rest[..nameEnd]).ToLowerInvariant();
            foreach (var existing in options)
            {
                if (existing.Key == name) return TftpRejectReason.DuplicateOption;
            }
            options.Add(new(name, Encoding.Latin1.GetString(afterName[..valueEnd])));
            rest = afterName[(valueEnd + 1)..];
        }
        request = new TftpRequest(opcode, fileName, mode, options);
        return TftpRejectReason.None;
    }

    /// <summary>Parses an ACK: opcode 4 and a block number, exactly four bytes (RFC 1350 section 5).</summary>
    public static TftpRejectReason TryParseAck(ReadOnlySpan<byte> packet, out ushort block)
    {
        block = 0;
        var reason = TryReadOpcode(packet, out var opcode);
        if (reason != TftpRejectReason.None) return reason;
        if (opcode != TftpOpcode.Ack) return TftpRejectReason.UnexpectedOpcode;
        if (packet.Length != 4) return TftpRejectReason.MalformedAck;
        block = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        return TftpRejectReason.None;
    }

    /// <summary>Parses an ERROR: opcode 5, error code, message NUL (RFC 1350 section 5).</summary>
    public static TftpRejectReason TryParseError(ReadOnlySpan<byte> packet, out TftpErrorCode code, out string message)
    {
        code = default;
        message = "";
        var reason = TryReadOpcode(packet, out var opcode);
        if (reason != TftpRejectReason.None) return reason;
        if (opcode != TftpOpcode.Error) return TftpRejectReason.UnexpectedOpcode;
        if (packet.Length < 5) return TftpRejectReason.MalformedError;
        var text = packet[4..];
        var nul = text.IndexOf((byte)0);
        if (nul < 0) return TftpRejectReason.MalformedError;
        code = (TftpErrorCode)BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        message = Encoding.Latin1.GetString(text[..nul]);
        return TftpRejectReason.None;
    }

    /// <summary>Writes the four DATA header bytes; the payload goes right after them.</summary>
    public static void WriteDataHeader(Span<byte> destination, ushort block)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)TftpOpcode.Data);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], block);
    }

    /// <summary>Writes an ACK; returns its length (4).</summary>
    public static int WriteAck(Span<byte> destination, ushort block)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)TftpOpcode.Ack);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], block);
        return 4;
    }

    /// <summary>Writes an ERROR with an ASCII message, truncated to fit; returns the length.</summary>
    public static int WriteError(Span<byte> destination, TftpErrorCode code, string message)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)TftpOpcode.Error);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)code);
        var room = destination.Length - 5;
        var length = 0;
        foreach (var c in message)
        {
            if (length == room) break;
            // The message is for a human at the client (RFC 1350 section 5 says netascii); keep it printable ASCII.
            destination[4 + length++] = c is >= ' ' and <= '~' ? (byte)c : (byte)'?';
        }
        destination[4 + length] = 0;
        return 5 + length;
    }

    /// <summary>Writes an OACK with the granted options in order (RFC 2347); returns the length, or -1 if it does not fit.</summary>
    public static int WriteOptionAck(Span<byte> destination, IReadOnlyList<KeyValuePair<string, string>> options)
    {
        if (destination.Length < 2) return -1;
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)TftpOpcode.OptionAck);
        var at = 2;
        foreach (var (name, value) in options)
        {
            if (at + name.Length + value.Length + 2 > destination.Length) return -1;
            at += Encoding.ASCII.GetBytes(name, destination[at..]);
            destination[at++] = 0;
            at += Encoding.ASCII.GetBytes(value, destination[at..]);
            destination[at++] = 0;
        }
        return at;
    }

    /// <summary>Writes an RRQ or WRQ with options; for clients and tests. Returns the length, or -1 if it does not fit.</summary>
    public static int WriteRequest(Span<byte> destination, TftpOpcode opcode, string fileName, string mode,
        IReadOnlyList<KeyValuePair<string, string>> options)
    {
        var needed = 2 + Encoding.UTF8.GetByteCount(fileName) + 1 + mode.Length + 1;
        foreach (var (name, value) in options) needed += name.Length + value.Length + 2;
        if (needed > destination.Length) return -1;
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)opcode);
        var at = 2;
        at += Encoding.UTF8.GetBytes(fileName, destination[at..]);
        destination[at++] = 0;
        at += Encoding.ASCII.GetBytes(mode, destination[at..]);
        destination[at++] = 0;
        foreach (var (name, value) in options)
        {
            at += Encoding.ASCII.GetBytes(name, destination[at..]);
            destination[at++] = 0;
            at += Encoding.ASCII.GetBytes(value, destination[at..]);
            destination[at++] = 0;
        }
        return at;
    }
}
