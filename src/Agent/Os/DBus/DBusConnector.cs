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
    /// Connects to the bus at <paramref name="address"/> (a D-Bus address such as
    /// <c>unix:path=/run/dbus/system_bus_socket</c>), authenticates and says Hello, within <paramref name="timeout"/>.
    /// Throws <see cref="DBusConnectFailedException"/> or another <see cref="DBusConnectionException"/> when that
    /// fails, <see cref="TimeoutException"/> when the peer does not finish in time.
    /// </summary>
    /// <remarks>
    /// Only message buses: the library always says Hello, and systemd's private peer-to-peer socket
    /// (/run/systemd/private, an sd-bus server in systemd 252) left about one connection in five without an answer
    /// to it here (4 of 20 connects; it answers when the client is slowed down, so most likely a Hello that arrives
    /// in the same read as BEGIN is not processed until more data comes). The timeout turns such a stall into an
    /// error rather than a hang.
    /// </remarks>
    public static async Task<DBusConnection> ConnectAsync(string address, TimeSpan timeout, TimeProvider timeProvider,
        CancellationToken cancellationToken = default)
    {
        var connection = new DBusConnection(new DBusConnectionOptions(address) { AutoConnect = false });
        try
        {
            // The library's ConnectAsync takes no token: the wait is bounded here, and disposing the connection
            // (below) aborts the attempt.
            await connection.ConnectAsync().AsTask().WaitAsync(timeout, timeProvider, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (TimeoutException e)
        {
            connection.Dispose();
            throw new TimeoutException($"the D-Bus peer at {address} did not finish authentication and Hello within {timeout.TotalSeconds:0} s", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary><see cref="ConnectAsync(string, TimeSpan, TimeProvider, CancellationToken)"/> within 25 s of the system clock.</summary>
    public static Task<DBusConnection> ConnectAsync(string address, CancellationToken cancellationToken = default) =>
        ConnectAsync(address, TimeSpan.FromSeconds(25), TimeProvider.System, cancellationToken);
}
