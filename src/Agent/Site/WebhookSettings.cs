using System.Collections.Immutable;

namespace NetbootPi.Agent.Site;

/// <summary>
/// One of <c>alerts.webhooks</c>: where alerts are POSTed, the secret their bodies are signed with, and which kinds
/// it wants. <see cref="Index"/> is its place in the list: logs and replies name a webhook as <c>webhooks[N]</c>
/// and its URL's origin only, because a webhook's path often holds a token of its own (a chat service's hook).
/// </summary>
public sealed record WebhookSettings(int Index, Uri Url, string SecretFile, WebhookSecret Secret, ImmutableArray<AlertKind> Kinds, SourceLocation Location)
{
    public bool Wants(AlertKind kind)
    {
        if (kind == AlertKind.Test) return true;
        foreach (var k in Kinds)
            if (k == kind) return true;
        return false;
    }

    /// <summary><c>webhooks[0] (https://ops.example.com)</c>: what logs and replies say, never the path or query.</summary>
    public string Display => $"webhooks[{Index}] ({Url.GetLeftPart(UriPartial.Authority)})";
}
