namespace NetbootPi.Protocols.DBus;

/// <summary>
/// The connection could not be made, or it closed or failed while a call was waiting; a failed
/// <see cref="DBusConnection"/> stays failed, so connect a new one.
/// </summary>
public sealed class DBusConnectionException : Exception
{
    public DBusConnectionException(string message) : base(message) { }

    public DBusConnectionException(string message, Exception? inner) : base(message, inner) { }
}
