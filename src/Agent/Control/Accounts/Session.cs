namespace NetbootPi.Agent.Control.Accounts;

/// <summary>
/// A browser's login: the user and role it was made for, its anti-CSRF token (sent back in <c>X-CSRF-Token</c> on
/// every change), when it began and when it was last used. The cookie's value is not kept here, only its SHA-256.
/// <see cref="Id"/> names it where it may be shown (a Redfish session's resource); it opens nothing.
/// </summary>
public sealed record Session(string User, ControlRole Role, string Csrf, DateTimeOffset Started, DateTimeOffset LastSeen)
{
    public string Id { get; init; } = "";

    public override string ToString() => $"session of {User}";
}
