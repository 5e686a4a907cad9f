namespace NetbootPi.Protocols.DBus;

/// <summary>
/// The peer broke the D-Bus protocol (a malformed message, a failed authentication), or code read a message body
/// in an order that does not match its signature.
/// </summary>
public sealed class DBusProtocolException : Exception
{
    public DBusProtocolException(string message) : base(message) { }

    public DBusProtocolException(string message, MessageError reason) : base($"{message}: {reason}") => Reason = reason;

    /// <summary>Why a received message was rejected; <see cref="MessageError.None"/> when not about a message.</summary>
    public MessageError Reason { get; }
}
