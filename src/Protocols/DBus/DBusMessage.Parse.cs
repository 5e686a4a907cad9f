using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace NetbootPi.Protocols.DBus;

public sealed partial class DBusMessage
{
    /// <summary>
    /// Parses and validates one whole message (as framed by <see cref="MessageFraming.Frame"/>): the header,
    /// its fields, and the body against its signature. Never throws on malformed bytes.
    /// </summary>
    public static MessageError TryParse(ReadOnlySpan<byte> message, out DBusMessage? parsed)
    {
        parsed = null;
        var framing = MessageFraming.Frame(message);
        if (framing.Status == FrameStatus.Malformed) return framing.Error;
        if (framing.Status == FrameStatus.NeedMore) return MessageError.Truncated;
        if (framing.Length != message.Length) return MessageError.TrailingBytes;

        bool bigEndian = message[0] == (byte)'B';
        var type = (DBusMessageType)message[1];
        if (type == DBusMessageType.Invalid) return MessageError.BadMessageType;
        if (message[3] != 1) return MessageError.BadProtocolVersion;
        uint bodyLength = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(message[4..]) : BinaryPrimitives.ReadUInt32LittleEndian(message[4..]);
        uint serial = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(message[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(message[8..]);
        if (serial == 0) return MessageError.ZeroSerial;

        int bodyStart = message.Length - (int)bodyLength;
        var header = new HeaderFields();
        var reader = new MessageReader(message[..bodyStart], bigEndian);
        reader.TryReadUInt32(out _); reader.TryReadUInt32(out _); reader.TryReadUInt32(out _); // fixed part
        var error = header.Read(ref reader);
        if (error != MessageError.None) return error;
        if (!reader.TryAlign(8, out error)) return error;
        if (!reader.IsAtEnd) return MessageError.Truncated;

        error = header.CheckRequired(type);
        if (error != MessageError.None) return error;

        var body = message[bodyStart..];
        var signature = header.Signature ?? [];
        if (header.Signature is null && body.Length > 0) return MessageError.BodyWithoutSignature;
        error = new MessageReader(body, bigEndian).Validate(signature);
        if (error != MessageError.None) return error;

        var copy = body.Length > 0 ? ArrayPool<byte>.Shared.Rent(body.Length) : [];
        body.CopyTo(copy);
        parsed = new DBusMessage(copy, body.Length, bigEndian)
        {
            Type = type,
            Flags = (DBusMessageFlags)message[2],
            Serial = serial,
            ReplySerial = header.ReplySerial ?? 0,
            Path = header.Path,
            Interface = header.Interface,
            Member = header.Member,
            ErrorName = header.ErrorName,
            Destination = header.Destination,
            Sender = header.Sender,
            Signature = Encoding.ASCII.GetString(signature),
            UnixFds = header.UnixFds ?? 0,
        };
        return MessageError.None;
    }

    private ref struct HeaderFields
    {
        public string? Path, Interface, Member, ErrorName, Destination, Sender;
        public uint? ReplySerial, UnixFds;
        public byte[]? Signature;
        private uint _seen;

        public MessageError Read(ref MessageReader reader)
        {
            // ARRAY of STRUCT of (BYTE, VARIANT), starting at offset 12.
            if (!reader.TryReadArrayStart(8, out int end, out var error)) return error;
            while (reader.Position < end)
            {
                if (!reader.TryAlign(8, out error)) return error;
                if (!reader.TryReadByte(out byte code)) return MessageError.Truncated;
                if (!reader.TryReadSignature(out var sig, out error)) return error;
                if (DBusSignature.ValidateSingleCompleteType(sig) != SignatureError.None) return MessageError.BadSignature;
                if (code is >= 1 and <= 9)
                {
                    if ((_seen & (1u << code)) != 0) return MessageError.BadHeaderField;
                    _seen |= 1u << code;
                }
                error = ReadField((HeaderField)code, sig, ref reader);
                if (error != MessageError.None) return error;
                if (reader.Position > end) return MessageError.Truncated;
            }
            return MessageError.None;
        }

        private MessageError ReadField(HeaderField code, ReadOnlySpan<byte> sig, ref MessageReader reader)
        {
            MessageError error;
            ReadOnlySpan<byte> text;
            switch (code)
            {
                case HeaderField.Path:
                    if (!Is(sig, DBusType.ObjectPath)) return MessageError.BadHeaderField;
                    if (!reader.TryReadObjectPath(out text, out error)) return error;
                    Path = Encoding.UTF8.GetString(text);
                    return MessageError.None;
                case HeaderField.Interface or HeaderField.Member or HeaderField.ErrorName or HeaderField.Destination or HeaderField.Sender:
                    if (!Is(sig, DBusType.String)) return MessageError.BadHeaderField;
                    if (!reader.TryReadString(out text, out error)) return error;
                    bool valid = code switch
                    {
                        HeaderField.Member => DBusNames.IsValidMemberName(text),
                        HeaderField.Interface or HeaderField.ErrorName => DBusNames.IsValidInterfaceName(text),
                        _ => DBusNames.IsValidBusName(text),
                    };
                    if (!valid) return MessageError.BadName;
                    string value = Encoding.UTF8.GetString(text);
                    if (code == HeaderField.Interface) Interface = value;
                    else if (code == HeaderField.Member) Member = value;
                    else if (code == HeaderField.ErrorName) ErrorName = value;
                    else if (code == HeaderField.Destination) Destination = value;
                    else Sender = value;
                    return MessageError.None;
                case HeaderField.ReplySerial or HeaderField.UnixFds:
                    if (!Is(sig, DBusType.UInt32)) return MessageError.BadHeaderField;
                    if (!reader.TryAlign(4, out error)) return error;
                    if (!reader.TryReadUInt32(out uint number)) return MessageError.Truncated;
                    if (code == HeaderField.ReplySerial)
                    {
                        if (number == 0) return MessageError.ZeroSerial;
                        ReplySerial = number;
                    }
                    else UnixFds = number;
                    return MessageError.None;
                case HeaderField.Signature:
                    if (!Is(sig, DBusType.Signature)) return MessageError.BadHeaderField;
                    if (!reader.TryReadSignature(out text, out error)) return error;
                    Signature = text.ToArray();
                    return MessageError.None;
                default:
                    // "Unknown header fields must be accepted and ignored" (Header Fields); their values are still checked.
                    var skip = reader;
                    error = skip.ValidateOne(sig);
                    if (error != MessageError.None) return error;
                    reader = skip;
                    return MessageError.None;
            }
        }

        public readonly MessageError CheckRequired(DBusMessageType type) => type switch
        {
            DBusMessageType.MethodCall when Path is null || Member is null => MessageError.MissingHeaderField,
            DBusMessageType.MethodReturn when ReplySerial is null => MessageError.MissingHeaderField,
            DBusMessageType.Error when ErrorName is null || ReplySerial is null => MessageError.MissingHeaderField,
            DBusMessageType.Signal when Path is null || Interface is null || Member is null => MessageError.MissingHeaderField,
            _ => MessageError.None,
        };

        private static bool Is(ReadOnlySpan<byte> sig, byte code) => sig.Length == 1 && sig[0] == code;
    }
}
