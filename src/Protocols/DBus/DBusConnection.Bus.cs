using System.Collections.Immutable;

namespace NetbootPi.Protocols.DBus;

public sealed partial class DBusConnection
{
    /// <summary>The bus daemon's own name, path and interface ("Message Bus Messages").</summary>
    public const string BusName = "org.freedesktop.DBus";
    private const string BusPath = "/org/freedesktop/DBus";
    private const string BusInterface = "org.freedesktop.DBus";

    private async Task<string> HelloAsync(CancellationToken cancellationToken)
    {
        using var reply = await CallAsync(BusCall("Hello").CreateMessage(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return reply.GetBodyReader().ReadString();
    }

    /// <summary>The bus's ID (<c>GetId</c>), 32 hex digits.</summary>
    public async Task<string> GetBusIdAsync(CancellationToken cancellationToken = default)
    {
        using var reply = await CallAsync(BusCall("GetId").CreateMessage(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return reply.GetBodyReader().ReadString();
    }

    /// <summary>Every name on the bus (<c>ListNames</c>).</summary>
    public async Task<IReadOnlyList<string>> ListNamesAsync(CancellationToken cancellationToken = default)
    {
        using var reply = await CallAsync(BusCall("ListNames").CreateMessage(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var reader = reply.GetBodyReader();
        var names = new List<string>();
        int end = reader.ReadArrayStart(DBusType.String);
        while (reader.HasNext(end)) names.Add(reader.ReadString());
        return names;
    }

    /// <summary>Asks for a well-known name (<c>RequestName</c>); returns the bus's answer.</summary>
    public async Task<RequestNameReply> RequestNameAsync(string name, RequestNameFlags flags = RequestNameFlags.None,
        CancellationToken cancellationToken = default)
    {
        var call = BusCall("RequestName", "su");
        call.WriteString(name);
        call.WriteUInt32((uint)flags);
        using var reply = await CallAsync(call.CreateMessage(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return (RequestNameReply)reply.GetBodyReader().ReadUInt32();
    }

    /// <summary>
    /// Routes signals matching <paramref name="rule"/> to <paramref name="handler"/> (on the receive loop; see the
    /// class remarks), registering the rule with the bus (<c>AddMatch</c>). Dispose the subscription to stop.
    /// </summary>
    public async Task<SignalSubscription> AddMatchAsync(MatchRule rule, Action<DBusMessage> handler,
        CancellationToken cancellationToken = default)
    {
        var subscription = new SignalSubscription(this, rule, handler);
        // Local first, so no signal the bus routes after AddMatch returns can arrive before there is a handler.
        lock (_registrationLock) _subscriptions = _subscriptions.Add(subscription);
        if (!_options.IsMessageBus) return subscription;
        try
        {
            var call = BusCall("AddMatch", "s");
            call.WriteString(rule.ToString());
            using var reply = await CallAsync(call.CreateMessage(), cancellationToken: cancellationToken).ConfigureAwait(false);
            return subscription;
        }
        catch
        {
            lock (_registrationLock) _subscriptions = _subscriptions.Remove(subscription);
            throw;
        }
    }

    internal async ValueTask RemoveMatchAsync(SignalSubscription subscription)
    {
        bool removed;
        lock (_registrationLock)
        {
            var before = _subscriptions;
            _subscriptions = _subscriptions.Remove(subscription);
            removed = _subscriptions.Length != before.Length;
        }
        // A closed connection has no rules left on the bus to remove.
        if (!removed || !_options.IsMessageBus || !IsConnected) return;
        var call = BusCall("RemoveMatch", "s");
        call.WriteString(subscription.Rule.ToString());
        try
        {
            using var reply = await CallAsync(call.CreateMessage()).ConfigureAwait(false);
        }
        catch (DBusConnectionException) when (!IsConnected)
        {
        }
    }

    /// <summary>
    /// Routes method calls to <paramref name="path"/> to <paramref name="handler"/>, which answers each call that
    /// expects a reply with <see cref="SendAsync"/> and a message from <see cref="MessageWriter.CreateMethodReturn"/>
    /// or <see cref="MessageWriter.CreateError"/>. Calls to paths without a handler get UnknownObject.
    /// </summary>
    public IDisposable RegisterObject(string path, Action<DBusMessage> handler)
    {
        if (!DBusNames.IsValidObjectPath(path)) throw new ArgumentException($"'{path}' is not a valid object path", nameof(path));
        lock (_registrationLock)
        {
            if (_objects.ContainsKey(path)) throw new InvalidOperationException($"an object is already registered at {path}");
            _objects = _objects.Add(path, handler);
        }
        return new ObjectRegistration(this, path);
    }

    private static MessageWriter BusCall(string member, string signature = "") =>
        MessageWriter.CreateMethodCall(BusName, BusPath, BusInterface, member, signature);

    private sealed class ObjectRegistration(DBusConnection connection, string path) : IDisposable
    {
        public void Dispose()
        {
            lock (connection._registrationLock) connection._objects = connection._objects.Remove(path);
        }
    }
}
