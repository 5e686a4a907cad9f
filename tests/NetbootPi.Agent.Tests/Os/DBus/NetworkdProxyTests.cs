using System.Threading.Channels;
using NetbootPi.Agent.Os.DBus;
using Tmds.DBus.Protocol;

namespace NetbootPi.Agent.Tests.Os.DBus;

/// <summary><see cref="NetworkdManagerProxy"/> and <see cref="NetworkdLinkProxy"/> against a real systemd-networkd on a private bus.</summary>
public class NetworkdProxyTests(NetworkdFixture networkd) : IClassFixture<NetworkdFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Finds_the_link_and_reads_its_states()
    {
        using var connection = await DBusConnector.ConnectAsync(networkd.RequireBus(), Ct);
        var manager = new NetworkdManagerProxy(connection);
        var links = await manager.ListLinksAsync();
        var listed = Assert.Single(links, l => l.Name == networkd.Link);
        Assert.Contains(links, l => l.Name == "lo");

        var (index, path) = await manager.GetLinkByNameAsync(networkd.Link);
        Assert.Equal((listed.Index, listed.Path.ToString()), (index, path.ToString()));
        var link = new NetworkdLinkProxy(connection, path);
        await WaitUntilAsync(async () => (await link.GetStatesAsync()).AdministrativeState == "configured");
        var states = await link.GetStatesAsync();
        Assert.Contains(states.OperationalState, new[] { "no-carrier", "routable", "degraded", "carrier" });
        Assert.False(string.IsNullOrEmpty(await manager.GetOperationalStateAsync()));
    }

    [Fact]
    public async Task Reload_applies_a_changed_network_file_and_ReconfigureLink_applies_it_again()
    {
        using var connection = await DBusConnector.ConnectAsync(networkd.RequireBus(), Ct);
        var manager = new NetworkdManagerProxy(connection);
        var (index, _) = await manager.GetLinkByNameAsync(networkd.Link);

        networkd.WriteNetwork("10-link.network", "10.77.1.1/24");
        await manager.ReloadAsync();
        await WaitUntilAsync(async () => (await Addresses()).Contains("10.77.1.1/24"));

        // An address added behind networkd's back is dropped when the link is configured from scratch.
        await networkd.InNamespaceAsync("ip", "addr", "add", "10.77.9.9/24", "dev", networkd.Link);
        Assert.Contains("10.77.9.9/24", await Addresses());
        await manager.ReconfigureLinkAsync(index);
        await WaitUntilAsync(async () => !(await Addresses()).Contains("10.77.9.9/24") && (await Addresses()).Contains("10.77.1.1/24"));

        Task<string> Addresses() => networkd.InNamespaceAsync("ip", "-4", "-o", "addr", "show", "dev", networkd.Link);
    }

    [Fact]
    public async Task A_link_getting_carrier_arrives_as_PropertiesChanged()
    {
        using var connection = await DBusConnector.ConnectAsync(networkd.RequireBus(), Ct);
        var manager = new NetworkdManagerProxy(connection);
        var (_, path) = await manager.GetLinkByNameAsync(networkd.Link);
        var link = new NetworkdLinkProxy(connection, path);
        var states = Channel.CreateUnbounded<string>();
        using (await link.WatchStatesChangedAsync(n =>
               {
                   if (n.HasValue && n.Value.TryGetValue("OperationalState", out var state) && state is not null) states.Writer.TryWrite(state);
               }, emitOnCapturedContext: false))
        {
            Assert.Equal("no-carrier", (await link.GetStatesAsync()).OperationalState);
            await networkd.InNamespaceAsync("ip", "link", "set", networkd.Peer, "up");
            try
            {
                // With carrier and a global address the link becomes routable; states on the way may come first.
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                string state;
                do state = await states.Reader.ReadAsync(timeout.Token);
                while (state != "routable");
                Assert.Equal("routable", (await link.GetStatesAsync()).OperationalState);
            }
            finally
            {
                await networkd.InNamespaceAsync("ip", "link", "set", networkd.Peer, "down");
            }
        }
        await WaitUntilAsync(async () => (await link.GetStatesAsync()).OperationalState == "no-carrier");
    }

    [Fact]
    public async Task Refusals_carry_networkds_error_name()
    {
        using var connection = await DBusConnector.ConnectAsync(networkd.RequireBus(), Ct);
        var manager = new NetworkdManagerProxy(connection);
        // networkd shares resolved's error names: systemd 252 answers org.freedesktop.resolve1.NoSuchLink.
        var unknown = await Assert.ThrowsAsync<DBusErrorReplyException>(() => manager.GetLinkByNameAsync("nbp-none"));
        Assert.Equal("org.freedesktop.resolve1.NoSuchLink", unknown.ErrorName);
        var reconfigure = await Assert.ThrowsAsync<DBusErrorReplyException>(() => manager.ReconfigureLinkAsync(99999));
        Assert.Equal("org.freedesktop.resolve1.NoSuchLink", reconfigure.ErrorName);
        Assert.Contains("99999", reconfigure.ErrorMessage);
        // The connection stays usable after error replies.
        Assert.NotEmpty(await manager.ListLinksAsync());
    }

    [Fact]
    public async Task A_proxy_on_an_auto_connect_connection_works_again_once_the_bus_is_back()
    {
        string bus = networkd.RequireBus();
        using var connection = new DBusConnection(new DBusConnectionOptions(bus) { AutoConnect = true });
        var manager = new NetworkdManagerProxy(connection);
        Assert.Contains(await manager.ListLinksAsync(), l => l.Name == networkd.Link);

        await networkd.StopBusAsync();
        await Assert.ThrowsAnyAsync<DBusConnectionException>(() => manager.ListLinksAsync());

        await networkd.StartBusAsync();
        Assert.Equal(bus, networkd.BusAddress);
        await networkd.RestartNetworkdAsync();
        Assert.Contains(await manager.ListLinksAsync(), l => l.Name == networkd.Link);
    }

    // Readiness of an outside process (networkd applying configuration): poll within a deadline.
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline) Assert.Fail("the condition did not hold within 30 s");
            await Task.Delay(50, Ct);
        }
    }
}
