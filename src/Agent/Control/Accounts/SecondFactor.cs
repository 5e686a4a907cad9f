namespace NetbootPi.Agent.Control.Accounts;

/// <summary>
/// How a TOTP code or recovery code given at login (or to confirm an enrolment) was taken: accepted as a TOTP code or
/// as a recovery code, wrong (or used already), the user has no TOTP (confirmed, or pending for a confirmation), or
/// there is no such user.
/// </summary>
public enum SecondFactor { Totp, RecoveryCode, Wrong, NoTotp, NotFound }
