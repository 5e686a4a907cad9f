namespace NetbootPi.Agent.Control.Accounts;

/// <summary>
/// A browser's login: the user and role it was made for, its anti-CSRF token (sent back in <c>X-CSRF-Token</c> on
/// every change), when it began and when it was last used. The cookie's value is not kept here, only its SHA-256.
/// </summary>
public sealed record Session(string User, ControlRole Role, string Csrf, DateTimeOffset Started, DateTimeOffset LastSeen)
{
    public override string ToString() => $"session of {User}";
}
