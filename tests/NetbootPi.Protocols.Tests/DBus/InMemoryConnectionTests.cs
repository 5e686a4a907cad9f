using NetbootPi.Protocols.DBus;

namespace NetbootPi.Protocols.Tests.DBus;

/// <summary>The connection against a scripted peer over an in-memory duplex stream.</summary>
public class InMemoryConnectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static MessageBuffer Call(string member, string? argument = null)
    {
        var writer = MessageWriter.CreateMethodCall("org.example.Service", "/org/example", "org.example.Iface", member,
            argument is null ? "" : "s");
        if (argument is not null) writer.WriteString(argument);
        return writer.CreateMessage();
    }

    [Fact]
    public async Task Authenticates_with_the_uid_and_says_Hello()
    {
        var (client, peer) = await FakeBusPeer.ConnectAsync();
        await using var clientScope = client;
        await using var peerScope = peer;
        Assert.Equal(FakeBusPeer.ExpectedAuthLine, peer.AuthLine);
        Assert.Equal(":1.7", client.UniqueName);
        Assert.Equal(FakeBusPeer.Guid, client.ServerGuid);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Rejected_authentication_is_a_connection_error()
    {
        var (stream, peer) = FakeBusPeer.CreateUnconnected();
        await using var peerScope = peer;
        var connecting = DBusConnection.ConnectAsync(stream, "fake bus", cancellationToken: Ct);
        await peer.AcceptAsync(answer: "REJECTED EXTERNAL");
        var ex = await Assert.ThrowsAsync<DBusConnectionException>(() => connecting);
        Assert.Contains("REJECTED", ex.Message);
    }

    [Fact]
    public async Task Replies_are_matched_to_calls_by_serial_in_any_order()
    {
        var (client, peer) = await FakeBusPeer.ConnectAsync();
        await using var clientScope = client;
        await using var peerScope = peer;
        var first = client.CallAsync(Call("First"), cancellationToken: Ct);
        var second = client.CallAsync(Call("Second"), cancellationToken: Ct);
        using var call1 = await peer.ReceiveAsync();
        using var call2 = await peer.ReceiveAsync();
        Assert.NotEqual(call1.Serial, call2.Serial);
        await peer.ReplyAsync(call2, "two");
        await peer.ReplyAsync(call1, "one");
        using var reply1 = await first;
        using var reply2 = await second;
        Assert.Equal("one", reply1.GetBodyReader().ReadString());
        Assert.Equal("two", reply2.GetBodyReader().ReadString());
    }

    [Fact]
    public async Task An_error_reply_throws_with_the_error_name_and_message()
    {
        var (client, peer) = await FakeBusPeer.ConnectAsync();
        await using var clientScope = client;
        await using var peerScope = peer;
        var pending = client.CallAsync(Call("Broken"), cancellationToken: Ct);
        using var call = await peer.ReceiveAsync();
        await peer.SendAsync(MessageWriter.CreateError(call, "org.example.Error.Broken", "it broke"));
        var ex = await Assert.ThrowsAsync<DBusErrorException>(() => pending);
        Assert.Equal("org.example.Error.Broken", ex.ErrorName);
        Assert.Equal("it broke", ex.ErrorMessage);
        Assert.Contains("org.example.Iface.Broken", ex.Message);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Signals_reach_the_subscribers_whose_rule_matches()
    {
        var (client, peer) = await FakeBusPeer.ConnectAsync();
        await using var clientScope = client;
        await using var peerScope = peer;
        var received = new List<string>();
        var rule = new MatchRule { Interface = "org.example.Iface", Member = "Changed" };
        var subscribing = client.AddMatchAsync(rule, m => received.Add(m.GetBodyReader().ReadString()), Ct);
        using (var addMatch = await peer.ReceiveAsync())
        {
            Assert.Equal("AddMatch", addMatch.Member);
            Assert.Equal("type='signal',interface='org.example.Iface',member='Changed'", addMatch.GetBodyReader().ReadString());
            await peer.SendAsync(MessageWriter.CreateMethodReturn(addMatch).CreateMessage());
        }
        var subscription = await subscribing;

        await peer.SendAsync(Signal("Changed", "a"));
        await peer.SendAsync(Signal("Other", "b"));
        await peer.SendAsync(Signal("Changed", "c"));
        // A call after the signals: its reply arrives after them, so they have been dispatched by then.
        await RoundTripAsync(client, peer);
        Assert.Equal(["a", "c"], received);

        var unsubscribing = subscription.DisposeAsync().AsTask();
        using (var removeMatch = await peer.ReceiveAsync())
        {
            Assert.Equal("RemoveMatch", removeMatch.Member);
            Assert.Equal(rule.ToString(), removeMatch.GetBodyReader().ReadString());
            await peer.SendAsync(MessageWriter.CreateMethodReturn(removeMatch).CreateMessage());
        }
        await unsubscribing;
        await peer.SendAsync(Signal("Changed", "d"));
        await RoundTripAsync(client, peer);
        Assert.Equal(["a", "c"], received);

        static MessageBuffer Signal(string member, string value)
        {
            var writer = MessageWriter.CreateSignal("/org/example", "org.example.Iface", member, "s");
            writer.WriteString(value);
            return writer.CreateMessage();
        }
    }

    [Fact]
    public async Task Big_endian_messages_and_bytes_arriving_one_at_a_time_are_read()
    {
        var (client, peer) = await FakeBusPeer.ConnectAsync(new DBusConnectionOptions { IsMessageBus = false });
        await using var clientScope = client;
        await using var peerScope = peer;
        var values = new List<uint>();
        await client.AddMatchAsync(new MatchRule { Path = "/a" }, m => values.Add(m.GetBodyReader().ReadUInt32()), Ct);
        var signal = Hex.Bytes(
            "42 04 00 01 00 00 00 04 00 00 00 07 00 00 00 37 // big-endian SIGNAL, body 4, serial 7, fields 55",
            "01 01 6f 00 00 00 00 02 2f 61 00 00 00 00 00 00 // PATH '/a'",
            "02 01 73 00 00 00 00 03 61 2e 62 00 00 00 00 00 // INTERFACE 'a.b'",
            "03 01 73 00 00 00 00 01 43 00 00 00 00 00 00 00 // MEMBER 'C'",
            "08 01 67 00 01 75 00 00                         // SIGNATURE 'u'",
            "00 00 00 2a                                     // UINT32 42");
        await peer.SendRawAsync(signal, oneByteAtATime: true);
        await RoundTripAsync(client, peer);
        Assert.Equal([42u], values);
    }

    [Fact]
    public async Task A_message_larger_than_the_receive_buffer_arrives_whole()
    {
        var (client, peer) = await FakeBusPeer.ConnectAsync();
        await using var clientScope = client;
        await using var peerScope = peer;
        var pending = client.CallAsync(Call("Big"), cancellationToken: Ct);
        using var call = await peer.ReceiveAsync();
        string big = new('x', 300_000);
        await peer.ReplyAsync(call, big);
        using var reply = await pending;
        Assert.Equal(big, reply.GetBodyReader().ReadString());
    }

    [Fact]
    public async Task Method_calls_reach_registered_objects_and_unknown_paths_get_an_error()
    {
        var (client, peer) = await FakeBusPeer.ConnectAsync();
        await using var clientScope = client;
        await using var peerScope = peer;
        using var registration = client.RegisterObject("/org/example/Echo", call =>
        {
            string text = call.GetBodyReader().ReadString();
            var reply = MessageWriter.CreateMethodReturn(call, "s");
            reply.WriteString(text.ToUpperInvariant());
            _ = client.SendAsync(reply.CreateMessage());
        });

        var echo = MessageWriter.CreateMethodCall(":1.7", "/org/example/Echo", "org.example.Echo", "Shout", "s");
        echo.WriteString("hello");
        uint serial = await peer.SendAsync(echo.CreateMessage());
        using (var reply = await peer.ReceiveAsync())
        {
            Assert.Equal((DBusMessageType.MethodReturn, serial), (reply.Type, reply.ReplySerial));
            Assert.Equal("HELLO", reply.GetBodyReader().ReadString());
        }

        serial = await peer.SendAsync(MessageWriter.CreateMethodCall(":1.7", "/nowhere", "org.example.Echo", "Shout").CreateMessage());
        using (var error = await peer.ReceiveAsync())
        {
            Assert.Equal((DBusMessageType.Error, serial), (error.Type, error.ReplySerial));
            Assert.Equal("org.freedesktop.DBus.Error.UnknownObject", error.ErrorName);
        }

        serial = await peer.SendAsync(MessageWriter.CreateMethodCall(":1.7", "/any", "org.freedesktop.DBus.Peer", "Ping").CreateMessage());
        using (var pong = await peer.ReceiveAsync())
            Assert.Equal((DBusMessageType.MethodReturn, serial), (pong.Type, pong.ReplySerial));
    }

    [Fact]
    public async Task A_call_without_a_reply_times_out_on_the_injected_clock()
    {
        var clock = new ManualTimeProvider();
        var (client, peer) = await FakeBusPeer.ConnectAsync(new DBusConnectionOptions { TimeProvider = clock });
        await using var clientScope = client;
        await using var peerScope = peer;
        var waiting = clock.TimerCreated;
        var pending = client.CallAsync(Call("Slow"), TimeSpan.FromSeconds(5), Ct);
        using var call = await peer.ReceiveAsync();
        await waiting;
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.False(pending.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => pending);
        Assert.Contains("org.example.Iface.Slow", ex.Message);

        // The late reply is dropped and the connection goes on.
        await peer.ReplyAsync(call, "late");
        await RoundTripAsync(client, peer);
    }

    [Fact]
    public async Task A_cancelled_call_stops_waiting()
    {
        var (client, peer) = await FakeBusPeer.ConnectAsync();
        await using var clientScope = client;
        await using var peerScope = peer;
        using var cts = new CancellationTokenSource();
        var pending = client.CallAsync(Call("Slow"), cancellationToken: cts.Token);
        using var call = await peer.ReceiveAsync();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        await peer.ReplyAsync(call, "late");
        await RoundTripAsync(client, peer);
    }

    [Fact]
    public async Task Malformed_bytes_fail_the_connection_and_every_waiting_call()
    {
        var (client, peer) = await FakeBusPeer.ConnectAsync();
        await using var clientScope = client;
        await using var peerScope = peer;
        var pending = client.CallAsync(Call("Any"), cancellationToken: Ct);
        using var call = await peer.ReceiveAsync();
        await peer.SendRawAsync(Hex.Bytes("6c 02 00 02 00 00 00 00 05 00 00 00 00 00 00 00 // version 2"));
        var ex = await Assert.ThrowsAsync<DBusConnectionException>(() => pending);
        var protocol = Assert.IsType<DBusProtocolException>(ex.InnerException);
        Assert.Equal(MessageError.BadProtocolVersion, protocol.Reason);
        await Assert.ThrowsAsync<DBusProtocolException>(() => client.Completion);
        Assert.False(client.IsConnected);
        await Assert.ThrowsAsync<DBusConnectionException>(() => client.CallAsync(Call("After"), cancellationToken: Ct));
    }

    [Fact]
    public async Task A_length_over_the_limit_fails_the_connection_before_allocating()
    {
        var (client, peer) = await FakeBusPeer.ConnectAsync();
        await using var clientScope = client;
        await using var peerScope = peer;
        await peer.SendRawAsync(Hex.Bytes("6c 02 00 01 ff ff ff ff 05 00 00 00 00 00 00 00 // body length 4 GiB"));
        var ex = await Assert.ThrowsAsync<DBusProtocolException>(() => client.Completion);
        Assert.Equal(MessageError.MessageTooLong, ex.Reason);
    }

    [Fact]
    public async Task The_peer_closing_fails_waiting_calls()
    {
        var (client, peer) = await FakeBusPeer.ConnectAsync();
        await using var clientScope = client;
        var pending = client.CallAsync(Call("Any"), cancellationToken: Ct);
        (await peer.ReceiveAsync()).Dispose();
        await peer.DisposeAsync();
        var ex = await Assert.ThrowsAsync<DBusConnectionException>(() => pending);
        Assert.Contains("fake bus", ex.Message);
        await Assert.ThrowsAnyAsync<Exception>(() => client.Completion);
    }

    [Fact]
    public async Task Disposing_fails_waiting_calls_and_completes()
    {
        var (client, peer) = await FakeBusPeer.ConnectAsync();
        await using var peerScope = peer;
        var pending = client.CallAsync(Call("Any"), cancellationToken: Ct);
        (await peer.ReceiveAsync()).Dispose();
        await client.DisposeAsync();
        await Assert.ThrowsAsync<DBusConnectionException>(() => pending);
        await client.Completion;
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_no_reply_call_is_sent_but_cannot_be_awaited_for_a_reply()
    {
        var (client, peer) = await FakeBusPeer.ConnectAsync();
        await using var clientScope = client;
        await using var peerScope = peer;
        var oneWay = MessageWriter.CreateMethodCall("org.example.Service", "/org/example", "org.example.Iface", "Notify",
            flags: DBusMessageFlags.NoReplyExpected);
        var oneWayMessage = oneWay.CreateMessage();
        await Assert.ThrowsAsync<ArgumentException>(() => client.CallAsync(oneWayMessage, cancellationToken: Ct));

        var again = MessageWriter.CreateMethodCall("org.example.Service", "/org/example", "org.example.Iface", "Notify",
            flags: DBusMessageFlags.NoReplyExpected);
        await client.SendAsync(again.CreateMessage(), Ct);
        using var received = await peer.ReceiveAsync();
        Assert.Equal(("Notify", DBusMessageFlags.NoReplyExpected), (received.Member, received.Flags));
    }

    [Fact]
    public async Task A_handler_that_throws_ends_the_connection_with_its_exception()
    {
        var (client, peer) = await FakeBusPeer.ConnectAsync(new DBusConnectionOptions { IsMessageBus = false });
        await using var clientScope = client;
        await using var peerScope = peer;
        await client.AddMatchAsync(new MatchRule { Member = "Boom" }, _ => throw new InvalidOperationException("handler bug"), Ct);
        var pending = client.CallAsync(Call("Any"), cancellationToken: Ct);
        (await peer.ReceiveAsync()).Dispose();
        await peer.SendAsync(MessageWriter.CreateSignal("/x", "org.example.Iface", "Boom").CreateMessage());
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => client.Completion);
        Assert.Equal("handler bug", ex.Message);
        Assert.IsType<InvalidOperationException>((await Assert.ThrowsAsync<DBusConnectionException>(() => pending)).InnerException);
    }

    // One call answered by the peer: everything the peer sent before has been dispatched when it returns.
    private static async Task RoundTripAsync(DBusConnection client, FakeBusPeer peer)
    {
        var pending = client.CallAsync(Call("Sync"), cancellationToken: Ct);
        using (var call = await peer.ReceiveAsync())
        {
            Assert.Equal("Sync", call.Member);
            await peer.ReplyAsync(call, "ok");
        }
        (await pending).Dispose();
    }
}
