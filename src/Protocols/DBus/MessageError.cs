namespace NetbootPi.Protocols.DBus;

/// <summary>Why bytes received from a peer are not a valid D-Bus message (specification, "Message Format").</summary>
public enum MessageError
{
    /// <summary>The message is valid.</summary>
    None = 0,
    /// <summary>The first byte is neither 'l' nor 'B'.</summary>
    BadEndianness,
    /// <summary>The major protocol version is not 1.</summary>
    BadProtocolVersion,
    /// <summary>Message type 0.</summary>
    BadMessageType,
    /// <summary>A message longer than 128 MiB.</summary>
    MessageTooLong,
    /// <summary>An array longer than 64 MiB.</summary>
    ArrayTooLong,
    /// <summary>A value, padding or length runs past the end of the message or of its array.</summary>
    Truncated,
    /// <summary>Alignment padding that is not zero.</summary>
    NonZeroPadding,
    /// <summary>A boolean that is neither 0 nor 1.</summary>
    BadBoolean,
    /// <summary>A string without its nul terminator, with an embedded nul, or not UTF-8.</summary>
    BadString,
    /// <summary>An object path that breaks the path rules.</summary>
    BadObjectPath,
    /// <summary>A signature (in a value, a variant or the header) that is not valid.</summary>
    BadSignature,
    /// <summary>Containers nested deeper than 64.</summary>
    NestingTooDeep,
    /// <summary>Bytes left over after the values the signature describes.</summary>
    TrailingBytes,
    /// <summary>Serial 0.</summary>
    ZeroSerial,
    /// <summary>A known header field whose variant has the wrong type, or a field given twice.</summary>
    BadHeaderField,
    /// <summary>A header field the message type requires is missing.</summary>
    MissingHeaderField,
    /// <summary>An interface, member, error or bus name that breaks the naming rules.</summary>
    BadName,
    /// <summary>A body without a signature header field.</summary>
    BodyWithoutSignature,
}
