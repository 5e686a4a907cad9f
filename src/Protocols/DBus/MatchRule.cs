using System.Text;

namespace NetbootPi.Protocols.DBus;

/// <summary>
/// A bus match rule ("Match Rules") selecting signals by sender, interface, member and path. The bus uses the
/// rule to route signals to this connection; the connection uses it again to route them to subscribers.
/// </summary>
public sealed record MatchRule
{
    /// <summary>A unique or well-known bus name.</summary>
    public string? Sender { get; init; }
    public string? Interface { get; init; }
    public string? Member { get; init; }
    public string? Path { get; init; }

    /// <summary>The rule in the bus's text syntax, <c>type='signal',interface='…'</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("type='signal'");
        Append(text, "sender", Sender);
        Append(text, "interface", Interface);
        Append(text, "member", Member);
        Append(text, "path", Path);
        return text.ToString();
    }

    /// <summary>
    /// Whether a received signal matches. A well-known <see cref="Sender"/> is not compared: the bus resolves it to
    /// the owner's unique name, which is what signals carry, so only the bus can apply it.
    /// </summary>
    public bool Matches(DBusMessage message) =>
        message.Type == DBusMessageType.Signal
        && (Sender is null || !Sender.StartsWith(':') || Sender == message.Sender)
        && (Interface is null || Interface == message.Interface)
        && (Member is null || Member == message.Member)
        && (Path is null || Path == message.Path);

    // Values are quoted; a quote inside is written as '\'' (the rule syntax has no other escaping).
    private static void Append(StringBuilder text, string key, string? value)
    {
        if (value is null) return;
        text.Append(',').Append(key).Append("='").Append(value.Replace("'", "'\\''")).Append('\'');
    }
}
