namespace NetbootPi.Protocols.DBus;

/// <summary>The message type byte of the header (specification, "Message Types").</summary>
public enum DBusMessageType : byte
{
    /// <summary>Not a valid type; a message carrying it is rejected.</summary>
    Invalid = 0,
    /// <summary>A method call; a reply is expected unless <see cref="DBusMessageFlags.NoReplyExpected"/>.</summary>
    MethodCall = 1,
    /// <summary>A reply with returned data.</summary>
    MethodReturn = 2,
    /// <summary>A reply that is an error.</summary>
    Error = 3,
    /// <summary>A signal emission.</summary>
    Signal = 4,
}
