using System.Buffers;

namespace NetbootPi.Protocols.DBus;

/// <summary>
/// A received, validated message: header fields as properties, the body readable with <see cref="GetBodyReader"/>.
/// The body lives in a pooled buffer: dispose the message when done (messages handed to signal and method
/// handlers are disposed by the connection once the handler returns).
/// </summary>
public sealed partial class DBusMessage : IDisposable
{
    private byte[] _body;
    private readonly int _bodyLength;

    private DBusMessage(byte[] body, int bodyLength, bool bigEndian)
    {
        _body = body;
        _bodyLength = bodyLength;
        IsBigEndian = bigEndian;
    }

    public DBusMessageType Type { get; private init; }
    public DBusMessageFlags Flags { get; private init; }
    public uint Serial { get; private init; }

    /// <summary>The serial of the call this message answers; 0 if it is not a reply.</summary>
    public uint ReplySerial { get; private set; }
    public string? Path { get; private set; }
    public string? Interface { get; private set; }
    public string? Member { get; private set; }
    public string? ErrorName { get; private set; }
    public string? Destination { get; private set; }
    public string? Sender { get; private set; }

    /// <summary>The body's signature; empty when the message has no body.</summary>
    public string Signature { get; private set; } = "";

    /// <summary>How many file descriptors accompany the message (they are not received by this client).</summary>
    public uint UnixFds { get; private set; }

    /// <summary>The byte order the sender used.</summary>
    public bool IsBigEndian { get; }

    /// <summary>The body length in bytes.</summary>
    public int BodyLength => _bodyLength;

    /// <summary>A reader over the body, validated against <see cref="Signature"/>.</summary>
    public MessageReader GetBodyReader()
    {
        if (_body.Length == 0 && _bodyLength > 0) throw new ObjectDisposedException(nameof(DBusMessage));
        return new MessageReader(_body.AsSpan(0, _bodyLength), IsBigEndian);
    }

    /// <summary>For an error reply whose body starts with a string, that string (the human-readable message).</summary>
    public string? ReadErrorMessage()
    {
        if (!Signature.StartsWith('s')) return null;
        var reader = GetBodyReader();
        return reader.ReadString();
    }

    public void Dispose()
    {
        var body = Interlocked.Exchange(ref _body, []);
        if (body.Length > 0) ArrayPool<byte>.Shared.Return(body);
    }

    public override string ToString() => Type switch
    {
        DBusMessageType.MethodCall => $"call {Interface}.{Member} on {Path} from {Sender} (serial {Serial})",
        DBusMessageType.MethodReturn => $"return for serial {ReplySerial} from {Sender}",
        DBusMessageType.Error => $"error {ErrorName} for serial {ReplySerial} from {Sender}",
        DBusMessageType.Signal => $"signal {Interface}.{Member} on {Path} from {Sender}",
        _ => $"message of type {(byte)Type}",
    };
}
