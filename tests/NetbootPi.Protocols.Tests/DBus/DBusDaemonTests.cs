using NetbootPi.Protocols.DBus;

namespace NetbootPi.Protocols.Tests.DBus;

/// <summary>The client against a real dbus-daemon.</summary>
public class DBusDaemonTests(DBusDaemonFixture daemon) : IClassFixture<DBusDaemonFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<DBusConnection> ConnectAsync() => DBusConnection.ConnectAsync(daemon.RequireAddress(), cancellationToken: Ct);

    [Fact]
    public async Task Hello_gives_a_unique_name_that_ListNames_shows()
    {
        await using var connection = await ConnectAsync();
        Assert.StartsWith(":", connection.UniqueName);
        Assert.Equal(32, connection.ServerGuid.Length);
        var names = await connection.ListNamesAsync(Ct);
        Assert.Contains("org.freedesktop.DBus", names);
        Assert.Contains(connection.UniqueName!, names);
    }

    [Fact]
    public async Task GetId_is_the_same_bus_id_for_every_connection()
    {
        await using var first = await ConnectAsync();
        await using var second = await ConnectAsync();
        string id = await first.GetBusIdAsync(Ct);
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(id, await second.GetBusIdAsync(Ct));
        Assert.Equal(first.ServerGuid, second.ServerGuid);
    }

    [Fact]
    public async Task RequestName_makes_the_connection_the_owner()
    {
        await using var first = await ConnectAsync();
        await using var second = await ConnectAsync();
        Assert.Equal(RequestNameReply.PrimaryOwner, await first.RequestNameAsync("org.netbootpi.Test.Owner", cancellationToken: Ct));
        Assert.Equal(RequestNameReply.AlreadyOwner, await first.RequestNameAsync("org.netbootpi.Test.Owner", cancellationToken: Ct));
        Assert.Equal(RequestNameReply.Exists, await second.RequestNameAsync("org.netbootpi.Test.Owner", RequestNameFlags.DoNotQueue, Ct));
        Assert.Contains("org.netbootpi.Test.Owner", await second.ListNamesAsync(Ct));
    }

    [Fact]
    public async Task A_method_call_between_two_of_our_connections()
    {
        await using var server = await ConnectAsync();
        await using var client = await ConnectAsync();
        await server.RequestNameAsync("org.netbootpi.Test.Calc", cancellationToken: Ct);
        using var registration = server.RegisterObject("/org/netbootpi/Calc", call =>
        {
            if (call.Member == "Add")
            {
                var args = call.GetBodyReader();
                int sum = args.ReadInt32() + args.ReadInt32();
                var reply = MessageWriter.CreateMethodReturn(call, "i");
                reply.WriteInt32(sum);
                _ = server.SendAsync(reply.CreateMessage());
            }
            else
            {
                _ = server.SendAsync(MessageWriter.CreateError(call, "org.netbootpi.Error.NoSuchMethod", $"no method {call.Member}"));
            }
        });

        var add = MessageWriter.CreateMethodCall("org.netbootpi.Test.Calc", "/org/netbootpi/Calc", "org.netbootpi.Calc", "Add", "ii");
        add.WriteInt32(40);
        add.WriteInt32(2);
        using (var reply = await client.CallAsync(add.CreateMessage(), cancellationToken: Ct))
        {
            Assert.Equal(server.UniqueName, reply.Sender);
            Assert.Equal(42, reply.GetBodyReader().ReadInt32());
        }

        var ex = await Assert.ThrowsAsync<DBusErrorException>(() => client.CallAsync(
            MessageWriter.CreateMethodCall("org.netbootpi.Test.Calc", "/org/netbootpi/Calc", "org.netbootpi.Calc", "Divide").CreateMessage(),
            cancellationToken: Ct));
        Assert.Equal("org.netbootpi.Error.NoSuchMethod", ex.ErrorName);
        Assert.Equal("no method Divide", ex.ErrorMessage);
    }

    [Fact]
    public async Task A_signal_between_two_of_our_connections()
    {
        await using var emitter = await ConnectAsync();
        await using var listener = await ConnectAsync();
        var received = new TaskCompletionSource<(string?, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var others = 0;
        await using (await listener.AddMatchAsync(new MatchRule { Sender = emitter.UniqueName, Interface = "org.netbootpi.Events", Member = "Happened" },
                         m => received.TrySetResult((m.Sender, m.GetBodyReader().ReadString())), Ct))
        await using (await listener.AddMatchAsync(new MatchRule { Interface = "org.netbootpi.Events", Member = "Other" },
                         _ => Interlocked.Increment(ref others), Ct))
        {
            var signal = MessageWriter.CreateSignal("/org/netbootpi/Events", "org.netbootpi.Events", "Happened", "s");
            signal.WriteString("it happened");
            await emitter.SendAsync(signal.CreateMessage(), Ct);
            var (sender, text) = await received.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
            Assert.Equal(emitter.UniqueName, sender);
            Assert.Equal("it happened", text);
            Assert.Equal(0, others);
        }
    }

    [Fact]
    public async Task Calls_to_unknown_names_and_methods_are_error_replies()
    {
        await using var connection = await ConnectAsync();
        var ex = await Assert.ThrowsAsync<DBusErrorException>(() => connection.CallAsync(
            MessageWriter.CreateMethodCall("org.netbootpi.Nobody", "/", "org.netbootpi.X", "Y").CreateMessage(), cancellationToken: Ct));
        Assert.Equal("org.freedesktop.DBus.Error.ServiceUnknown", ex.ErrorName);

        var unknown = await Assert.ThrowsAsync<DBusErrorException>(() => connection.CallAsync(
            MessageWriter.CreateMethodCall(DBusConnection.BusName, "/org/freedesktop/DBus", "org.freedesktop.DBus", "NoSuchMethod").CreateMessage(),
            cancellationToken: Ct));
        Assert.Equal("org.freedesktop.DBus.Error.UnknownMethod", unknown.ErrorName);
        Assert.True(connection.IsConnected);
    }

    [Fact]
    public async Task A_failed_connection_is_replaced_by_a_new_one()
    {
        var address = daemon.RequireAddress();
        var first = await ConnectAsync();
        await first.DisposeAsync();
        await Assert.ThrowsAsync<DBusConnectionException>(() => first.ListNamesAsync(Ct));
        await using var second = await DBusConnection.ConnectAsync(address, cancellationToken: Ct);
        Assert.NotEqual(first.UniqueName, second.UniqueName);
        Assert.DoesNotContain(first.UniqueName!, await second.ListNamesAsync(Ct));
    }

    [Fact]
    public async Task Connects_through_an_abstract_socket_too()
    {
        daemon.RequireAddress();
        await using var connection = await DBusConnection.ConnectAsync(DBusAddress.Parse($"unix:abstract={daemon.AbstractName}"), cancellationToken: Ct);
        Assert.Contains(connection.UniqueName!, await connection.ListNamesAsync(Ct));
    }

    [Fact]
    public async Task A_missing_socket_is_a_connection_error_naming_it()
    {
        var ex = await Assert.ThrowsAsync<DBusConnectionException>(() =>
            DBusConnection.ConnectAsync(DBusAddress.Parse("unix:path=/nonexistent/netbootpi-bus"), cancellationToken: Ct));
        Assert.Contains("/nonexistent/netbootpi-bus", ex.Message);
    }
}
