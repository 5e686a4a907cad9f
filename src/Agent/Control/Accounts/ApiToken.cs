namespace NetbootPi.Agent.Control.Accounts;

/// <summary>
/// A token for scripts: <see cref="Id"/> names it in lists and for revoking, <see cref="Hash"/> is SHA-256 of the
/// token itself (which is shown once, at creation, and kept nowhere). <see cref="Hosts"/>, when not empty, limits it
/// to those hosts: it may read, and change only what concerns one of them.
/// </summary>
public sealed record ApiToken(string Id, string Name, ControlRole Role, IReadOnlyList<string> Hosts, string Hash, DateTimeOffset Created,
    DateTimeOffset? LastUsed, DateTimeOffset? Revoked)
{
    public bool IsRevoked => Revoked is not null;

    public bool IsScoped => Hosts.Count > 0;

    /// <summary>True when the token may act on <paramref name="host"/>: unscoped, or scoped to it.</summary>
    public bool MayTouch(string host) => !IsScoped || Hosts.Contains(host, StringComparer.Ordinal);

    public override string ToString() => $"token {Id} ({Name})";
}
