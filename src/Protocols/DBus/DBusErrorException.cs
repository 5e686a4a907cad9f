namespace NetbootPi.Protocols.DBus;

/// <summary>A method call was answered with an ERROR message.</summary>
public sealed class DBusErrorException : Exception
{
    public DBusErrorException(string errorName, string? errorMessage, string? call = null)
        : base(call is null ? $"{errorName}: {errorMessage}" : $"{call} failed: {errorName}: {errorMessage}")
    {
        ErrorName = errorName;
        ErrorMessage = errorMessage;
    }

    /// <summary>The D-Bus error name, e.g. <c>org.freedesktop.DBus.Error.ServiceUnknown</c>.</summary>
    public string ErrorName { get; }

    /// <summary>The error's human-readable message (the first string of its body), if it had one.</summary>
    public string? ErrorMessage { get; }
}
