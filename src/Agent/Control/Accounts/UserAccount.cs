namespace NetbootPi.Agent.Control.Accounts;

/// <summary>
/// A person who logs in over the network: a name, a role, a password hash (PHC string, never printed), and how
/// many logins failed in a row; <see cref="Locked"/> after <see cref="AccountStore.MaxFailures"/> of them, until an
/// admin unlocks the account.
/// </summary>
public sealed record UserAccount(string Name, ControlRole Role, string PasswordHash, DateTimeOffset Created, int FailedLogins, DateTimeOffset? LockedSince)
{
    public bool Locked => LockedSince is not null;

    /// <summary>The user's TOTP (enrolled, maybe not yet confirmed); null when they have none.</summary>
    public TotpState? Totp { get; init; }

    /// <summary>True when a login needs a code: TOTP enrolled and confirmed.</summary>
    public bool HasTotp => Totp is { Confirmed: true };

    // A record prints every member; the hash must not reach a log line by way of a record in a message.
    public override string ToString() => $"user {Name} ({Role.ToString().ToLowerInvariant()})";
}
