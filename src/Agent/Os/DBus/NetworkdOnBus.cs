using NetbootPi.Agent.Os.Network;
using Tmds.DBus.Protocol;

namespace NetbootPi.Agent.Os.DBus;

/// <summary>
/// <see cref="INetworkd"/> through <see cref="NetworkdManagerProxy"/> and <see cref="NetworkdLinkProxy"/>: a
/// connection of its own per call (the applier calls seldom, and a bus restarted meanwhile is then no matter).
/// </summary>
public sealed class NetworkdOnBus(string address, TimeProvider time) : INetworkd
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(25);

    /// <summary>networkd on the system bus ($DBUS_SYSTEM_BUS_ADDRESS, else /run/dbus/system_bus_socket).</summary>
    public static NetworkdOnBus System(TimeProvider time) => new(DBusAddress.System ?? "unix:path=/run/dbus/system_bus_socket", time);

    public Task ReloadAsync(CancellationToken cancellationToken = default) =>
        CallAsync("Reload", m => m.ReloadAsync(), cancellationToken);

    public Task<IReadOnlyList<NetworkdLink>> LinksAsync(CancellationToken cancellationToken = default) =>
        CallAsync<IReadOnlyList<NetworkdLink>>("ListLinks", async (m, c) =>
        {
            var links = new List<NetworkdLink>();
            foreach (var (index, name, path) in await m.ListLinksAsync().ConfigureAwait(false))
            {
                var (operational, administrative) = await new NetworkdLinkProxy(c, path).GetStatesAsync().ConfigureAwait(false);
                links.Add(new NetworkdLink(index, name, operational, administrative));
            }
            return links;
        }, cancellationToken);

    private Task CallAsync(string what, Func<NetworkdManagerProxy, Task> call, CancellationToken cancellationToken) =>
        CallAsync<bool>(what, async (m, _) =>
        {
            await call(m).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    private async Task<T> CallAsync<T>(string what, Func<NetworkdManagerProxy, DBusConnection, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            using var connection = await DBusConnector.ConnectAsync(address, CallTimeout, time, cancellationToken).ConfigureAwait(false);
            return await call(new NetworkdManagerProxy(connection), connection).WaitAsync(CallTimeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException e)
        {
            throw new NetworkdException($"systemd-networkd refused {what} on {address}: {e.ErrorName}: {e.Message} (journalctl -u systemd-networkd)", e);
        }
        catch (Exception e) when (e is DBusConnectionException or TimeoutException or DBusUnexpectedValueException)
        {
            throw new NetworkdException($"systemd-networkd did not answer {what} on {address}: {e.Message} (is systemd-networkd running? systemctl status systemd-networkd)", e);
        }
    }
}
