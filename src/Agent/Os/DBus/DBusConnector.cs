using Tmds.DBus.Protocol;

namespace NetbootPi.Agent.Os.DBus;

/// <summary>Opens explicit D-Bus connections: owned by the caller, which sees when one ends and opens the next.</summary>
/// <remarks>
/// The alternative, Tmds.DBus's auto-connect connection, reconnects by itself but drops every signal watch on the
/// way; a client that waits for signals (systemd's JobRemoved) must know which connection a call went out on, so
/// it holds an explicit one and replaces it, with its watches, once <see cref="DBusConnection.DisconnectedAsync"/>
/// has completed.
/// </remarks>
public static class DBusConnector
{
    /// <summary>
    /// Connects to <paramref name="address"/> (a D-Bus address such as <c>unix:path=/run/dbus/system_bus_socket</c>),
    /// authenticates and, on a bus, says Hello. Throws <see cref="DBusConnectFailedException"/> or another
    /// <see cref="DBusConnectionException"/> when that fails.
    /// </summary>
    public static async Task<DBusConnection> ConnectAsync(string address, CancellationToken cancellationToken = default)
    {
        var connection = new DBusConnection(new DBusConnectionOptions(address) { AutoConnect = false });
        try
        {
            // The library's ConnectAsync takes no token: cancelling stops the wait, and disposing the connection
            // (below) aborts the attempt.
            await connection.ConnectAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
