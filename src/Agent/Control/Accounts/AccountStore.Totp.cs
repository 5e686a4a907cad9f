namespace NetbootPi.Agent.Control.Accounts;

// Users' TOTP: enrol (a secret and recovery codes, pending), confirm with a first code, use at login, disable.
public sealed partial class AccountStore
{
    /// <summary>
    /// Gives <paramref name="name"/> a new TOTP secret and recovery codes, pending until <see cref="ConfirmTotp"/>.
    /// A pending enrolment is replaced (the QR code was never scanned, or scanned by the wrong phone); a confirmed one
    /// is <see cref="AccountChange.Exists"/>: disable it first, so that nobody replaces a working second factor by mistake.
    /// </summary>
    public AccountChange EnrolTotp(string name, byte[] secret, IReadOnlyList<string> recoveryHashes)
    {
        lock (_lock)
        {
            if (FindUser(name) is { HasTotp: true }) return AccountChange.Exists;
            return ChangeUser(name, u => u with { Totp = new TotpState(Totp.Base32(secret), false, null, [.. recoveryHashes], time.GetUtcNow()) });
        }
    }

    /// <summary>
    /// Confirms a pending enrolment with a code from the app (<see cref="SecondFactor.Totp"/>); from then on a login
    /// needs a code. The code counts as used. <see cref="SecondFactor.NoTotp"/> when nothing is pending.
    /// </summary>
    public SecondFactor ConfirmTotp(string name, string code)
    {
        lock (_lock)
        {
            Ready();
            if (FindUser(name) is not { } user) return SecondFactor.NotFound;
            if (user.Totp is not { Confirmed: false } pending) return SecondFactor.NoTotp;
            if (Totp.Match(Totp.FromBase32(pending.Secret), code, time.GetUtcNow(), null) is not { } step) return SecondFactor.Wrong;
            ChangeUser(name, u => u with { Totp = pending with { Confirmed = true, LastStep = step } });
            return SecondFactor.Totp;
        }
    }

    /// <summary>Removes the user's TOTP and recovery codes (confirmed or pending); <see cref="AccountChange.NotFound"/> without a user.</summary>
    public AccountChange DisableTotp(string name) => ChangeUser(name, u => u with { Totp = null });

    /// <summary>
    /// Checks a login's second factor for a user with confirmed TOTP: a code of the current step (or one either side)
    /// not older than the last accepted, or one of the recovery codes, which is then gone. What was used is written
    /// before this returns, so a code cannot be replayed after a restart either.
    /// </summary>
    public (SecondFactor Result, int RecoveryLeft) UseSecondFactor(string name, string code)
    {
        lock (_lock)
        {
            Ready();
            if (FindUser(name) is not { } user) return (SecondFactor.NotFound, 0);
            if (user.Totp is not { Confirmed: true } totp) return (SecondFactor.NoTotp, 0);
            if (Totp.Match(Totp.FromBase32(totp.Secret), code, time.GetUtcNow(), totp.LastStep) is { } step)
            {
                ChangeUser(name, u => u with { Totp = totp with { LastStep = step } });
                return (SecondFactor.Totp, totp.RecoveryHashes.Count);
            }
            if (RecoveryCodes.HashOf(code) is { } hash)
            {
                var given = System.Text.Encoding.ASCII.GetBytes(hash);
                var index = -1;
                for (var i = 0; i < totp.RecoveryHashes.Count; i++)
                    if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(given, System.Text.Encoding.ASCII.GetBytes(totp.RecoveryHashes[i]))) index = i;
                if (index >= 0)
                {
                    var left = totp.RecoveryHashes.Where((_, i) => i != index).ToArray();
                    ChangeUser(name, u => u with { Totp = totp with { RecoveryHashes = left } });
                    return (SecondFactor.RecoveryCode, left.Length);
                }
            }
            return (SecondFactor.Wrong, totp.RecoveryHashes.Count);
        }
    }

    private static TotpState? ReadTotp(TotpEntry? entry, string at)
    {
        if (entry is null) return null;
        if (Totp.FromBase32(entry.Secret) is not { Length: >= 16 }) throw new AccountStoreException($"{at}.secret: not base32 of at least 16 bytes");
        if (entry.RecoveryCodes.FirstOrDefault(h => !HashPattern().IsMatch(h)) is not null)
            throw new AccountStoreException($"{at}.recovery_codes: an entry is not 64 hexadecimal digits (SHA-256)");
        return new TotpState(entry.Secret, entry.Confirmed, entry.LastStep, [.. entry.RecoveryCodes], entry.Created);
    }

    private static TotpEntry? WriteTotp(TotpState? totp) =>
        totp is null ? null : new TotpEntry(totp.Secret, totp.Confirmed, totp.LastStep, [.. totp.RecoveryHashes], totp.Created);
}
