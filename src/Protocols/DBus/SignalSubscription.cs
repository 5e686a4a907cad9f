namespace NetbootPi.Protocols.DBus;

/// <summary>A match rule and its handler on one connection; disposing it removes both.</summary>
public sealed class SignalSubscription : IAsyncDisposable
{
    private readonly DBusConnection _connection;

    internal SignalSubscription(DBusConnection connection, MatchRule rule, Action<DBusMessage> handler)
    {
        _connection = connection;
        Rule = rule;
        Handler = handler;
    }

    public MatchRule Rule { get; }

    internal Action<DBusMessage> Handler { get; }

    /// <summary>Stops delivery and removes the rule from the bus (<c>RemoveMatch</c>) if the connection is open.</summary>
    public ValueTask DisposeAsync() => _connection.RemoveMatchAsync(this);
}
