namespace NetbootPi.Agent.Control.Accounts;

/// <summary>
/// A user's second factor: the TOTP secret (base32, as the <c>otpauth://</c> URI carries it), whether the user
/// proved with a first code that their app has it (<see cref="Confirmed"/>: only then is a code required at login),
/// the last step a code was accepted for (a code is never accepted twice), and the SHA-256 of the recovery codes
/// not used yet.
/// </summary>
public sealed record TotpState(string Secret, bool Confirmed, long? LastStep, IReadOnlyList<string> RecoveryHashes, DateTimeOffset Created)
{
    /// <summary>How <c>user list</c> shows it: on, or pending until confirmed.</summary>
    public string Word => Confirmed ? "on" : "pending";

    // A record prints every member: the secret must not reach a log by way of a record in a message.
    public override string ToString() => $"TOTP {Word}, {RecoveryHashes.Count} recovery codes left";
}
