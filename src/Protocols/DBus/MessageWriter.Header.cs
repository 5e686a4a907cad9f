using System.Buffers.Binary;
using System.Text;

namespace NetbootPi.Protocols.DBus;

public ref partial struct MessageWriter
{
    // The serial is left 0 here; the connection stamps it at this offset when it sends the message.
    internal const int SerialOffset = 8;
    private const int BodyLengthOffset = 4;

    /// <summary>Starts a METHOD_CALL; write the arguments, matching <paramref name="signature"/>, next.</summary>
    public static MessageWriter CreateMethodCall(string? destination, string path, string? @interface, string member,
        string signature = "", DBusMessageFlags flags = DBusMessageFlags.None)
    {
        var writer = new MessageWriter(256);
        writer.WriteHeader(DBusMessageType.MethodCall, flags, path, @interface, member, null, null, destination, signature);
        return writer;
    }

    /// <summary>Starts the METHOD_RETURN to <paramref name="call"/>; write the return values next.</summary>
    public static MessageWriter CreateMethodReturn(DBusMessage call, string signature = "")
    {
        var writer = new MessageWriter(256);
        writer.WriteHeader(DBusMessageType.MethodReturn, DBusMessageFlags.NoReplyExpected, null, null, null, null,
            call.Serial, call.Sender, signature);
        return writer;
    }

    /// <summary>The ERROR reply to <paramref name="call"/>, carrying a human-readable message.</summary>
    public static MessageBuffer CreateError(DBusMessage call, string errorName, string message)
    {
        var writer = new MessageWriter(256);
        writer.WriteHeader(DBusMessageType.Error, DBusMessageFlags.NoReplyExpected, null, null, null, errorName,
            call.Serial, call.Sender, "s");
        writer.WriteString(message);
        return writer.CreateMessage();
    }

    /// <summary>Starts a SIGNAL; write its arguments next.</summary>
    public static MessageWriter CreateSignal(string path, string @interface, string member, string signature = "",
        string? destination = null)
    {
        var writer = new MessageWriter(256);
        writer.WriteHeader(DBusMessageType.Signal, DBusMessageFlags.NoReplyExpected, path, @interface, member, null,
            null, destination, signature);
        return writer;
    }

    /// <summary>A writer for values alone, with no header: offset 0 is the body's first byte.</summary>
    internal static MessageWriter CreateBody(string signature)
    {
        var writer = new MessageWriter(256) { _bodyStart = 0, _signature = Encoding.ASCII.GetBytes(signature) };
        return writer;
    }

    /// <summary>The bytes written so far; for tests of body encoding.</summary>
    internal readonly byte[] ToArray() => _buffer.AsSpan(0, _pos).ToArray();

    /// <summary>
    /// Finishes the message: checks the body against the header's signature, fills in the body length, and hands
    /// the buffer over to the returned message.
    /// </summary>
    public MessageBuffer CreateMessage()
    {
        if (_bodyStart < 0) throw new InvalidOperationException("the message has no header; start it with a Create* method");
        var body = _buffer.AsSpan(_bodyStart, _pos - _bodyStart);
        var signature = _signature ?? [];
        var check = new MessageReader(body, bigEndian: false).Validate(signature);
        if (check != MessageError.None)
            throw new InvalidOperationException(
                $"the body written does not match the signature '{Encoding.ASCII.GetString(signature)}': {check}");
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(BodyLengthOffset, 4), (uint)body.Length);
        var message = new MessageBuffer(_buffer, _pos, _description ?? "");
        _buffer = [];
        return message;
    }

    private void WriteHeader(DBusMessageType type, DBusMessageFlags flags, string? path, string? @interface,
        string? member, string? errorName, uint? replySerial, string? destination, string signature)
    {
        if (path is not null && !DBusNames.IsValidObjectPath(path)) throw new ArgumentException($"'{path}' is not a valid object path", nameof(path));
        if (@interface is not null && !DBusNames.IsValidInterfaceName(@interface)) throw new ArgumentException($"'{@interface}' is not a valid interface name", nameof(@interface));
        if (member is not null && !DBusNames.IsValidMemberName(member)) throw new ArgumentException($"'{member}' is not a valid member name", nameof(member));
        if (errorName is not null && !DBusNames.IsValidInterfaceName(errorName)) throw new ArgumentException($"'{errorName}' is not a valid error name", nameof(errorName));
        if (destination is not null && !DBusNames.IsValidBusName(destination)) throw new ArgumentException($"'{destination}' is not a valid bus name", nameof(destination));
        var sigError = DBusSignature.Validate(signature);
        if (sigError != SignatureError.None) throw new ArgumentException($"'{signature}' is not a valid signature: {sigError}", nameof(signature));
        _signature = Encoding.ASCII.GetBytes(signature);
        _description = type switch
        {
            DBusMessageType.MethodCall or DBusMessageType.Signal => $"{@interface}{(@interface is null ? "" : ".")}{member} on {path}",
            DBusMessageType.Error => $"error {errorName}",
            _ => "method return",
        };

        WriteByte((byte)'l');
        WriteByte((byte)type);
        WriteByte((byte)flags);
        WriteByte(1); // major protocol version
        WriteUInt32(0); // body length, filled by CreateMessage
        WriteUInt32(0); // serial, stamped by the connection
        var fields = WriteArrayStart(DBusType.StructBegin);
        if (path is not null) { WriteField(HeaderField.Path, "o"); WriteObjectPath(path); }
        if (@interface is not null) { WriteField(HeaderField.Interface, "s"); WriteString(@interface); }
        if (member is not null) { WriteField(HeaderField.Member, "s"); WriteString(member); }
        if (errorName is not null) { WriteField(HeaderField.ErrorName, "s"); WriteString(errorName); }
        if (replySerial is uint serial) { WriteField(HeaderField.ReplySerial, "u"); WriteUInt32(serial); }
        if (destination is not null) { WriteField(HeaderField.Destination, "s"); WriteString(destination); }
        if (signature.Length > 0) { WriteField(HeaderField.Signature, "g"); WriteSignature(signature); }
        WriteArrayEnd(fields);
        // The body starts on an 8-byte boundary even when the header fields end elsewhere.
        Align(8);
        _bodyStart = _pos;
    }

    private void WriteField(HeaderField field, string signature)
    {
        WriteStructStart();
        WriteByte((byte)field);
        WriteSignature(signature);
    }
}
