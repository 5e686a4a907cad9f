namespace NetbootPi.Protocols.DBus;

/// <summary>How a <see cref="DBusConnection"/> behaves.</summary>
public sealed record DBusConnectionOptions
{
    /// <summary>Clock for call timeouts.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How long a call waits for its reply when the caller gives no timeout (libdbus uses 25 s too).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// True when the peer is a message bus: the connection calls <c>Hello</c> and registers match rules with it.
    /// False for a direct peer-to-peer connection (such as systemd's private socket).
    /// </summary>
    public bool IsMessageBus { get; init; } = true;
}
