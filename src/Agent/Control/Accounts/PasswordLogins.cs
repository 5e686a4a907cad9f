using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Control.Accounts;

/// <summary>How a password login ended: the user, or the status and sentence to refuse it with (and, for 429, when to come back).</summary>
public sealed record LoginOutcome(UserAccount? User, int Status, string Why, int RetryAfterSeconds = 0)
{
    public static LoginOutcome Accepted(UserAccount user) => new(user, StatusCodes.Status200OK, "");
}

/// <summary>
/// One check of a name and password (and the TOTP or recovery code of a user who has TOTP) for every form that takes
/// one: the console's login, a Redfish session, HTTP Basic on the compatibility paths. Limited per source address and
/// per name (<see cref="LoginLimiter"/>); <see cref="AccountStore.MaxFailures"/> wrong passwords or codes in a row
/// lock the account; every failure answers alike (<see cref="WrongLogin"/>), never telling which part was wrong.
/// </summary>
public sealed partial class PasswordLogins(AccountStore store, PasswordHasher hasher, LoginLimiter limiter, SiteState state, TimeProvider time, ILogger<PasswordLogins> logger)
{
    /// <summary>
    /// What every failed login answers, whatever was wrong: which part was wrong would tell a guesser that the
    /// password was right, and whether a user has TOTP.
    /// </summary>
    public const string WrongLogin = "wrong name, password or TOTP code";

    private const int TotpDigits = 6;

    /// <summary>How long a password checked in full stands for the same credentials sent again with each request.</summary>
    public static readonly TimeSpan RepeatWindow = TimeSpan.FromMinutes(5);

    /// <summary>A name's password as last verified for a per-request form: its HMAC, the account's hash then, until when.</summary>
    private sealed record Verified(byte[] Mac, string PasswordHash, DateTimeOffset Until);

    // The key lives in memory only: the HMACs mean nothing outside this process, and a password is never kept.
    private readonly byte[] _repeatKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, Verified> _verified = new(StringComparer.Ordinal);

    public AccountStore Store => store;

    /// <summary>Checks <paramref name="name"/>, <paramref name="password"/> and <paramref name="code"/> (null: none given) from <paramref name="address"/>.</summary>
    public async Task<LoginOutcome> CheckAsync(string name, string password, string? code, string address, CancellationToken cancellation)
    {
        // What reaches the log is a name that could be one: never a line break, nor a password typed in the wrong field at length.
        var logged = AccountStore.ValidName(name) ? name : "(not a user name)";
        if (limiter.Attempt(address, name) is { } wait)
        {
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            LogLimited(logged, address);
            return new LoginOutcome(null, StatusCodes.Status429TooManyRequests, $"too many logins from {address} or for this name; try again in {seconds} s", seconds);
        }
        var user = store.FindUser(name);
        // Hashed whether or not the user exists: the time taken does not tell.
        var good = await hasher.VerifyAsync(password, user?.PasswordHash, cancellation).ConfigureAwait(false);
        if (user is { Locked: true })
        {
            LogLoginRefused(logged, address, "locked");
            return new LoginOutcome(null, StatusCodes.Status403Forbidden,
                $"account {name} is locked after {AccountStore.MaxFailures} failed logins; an admin lifts it with netbootpi user unlock {name}");
        }
        if (!good || user is null)
        {
            var now = user is null ? null : store.RecordFailure(name);
            LogLoginRefused(logged, address, now is { Locked: true } ? "wrong password; now locked" : "wrong name or password");
            return new LoginOutcome(null, StatusCodes.Status401Unauthorized,
                store.Users.Count == 0 ? "no accounts exist yet: an admin is made on the box itself (netbootpi user add NAME --role admin)" : WrongLogin);
        }
        if (SecondFactorRefusal(user, code, address) is { } refused) return refused;
        store.RecordSuccess(name);
        return LoginOutcome.Accepted(user);
    }

    /// <summary>
    /// The form of HTTP Basic and kvmd's headers, which have no field for a code: a user with TOTP appends the code of
    /// the moment to the password (as PiKVM does); a user without sends the password alone.
    /// </summary>
    public Task<LoginOutcome> CheckAppendedAsync(string name, string passwordAndCode, string address, CancellationToken cancellation)
    {
        if (store.FindUser(name) is { HasTotp: true } && passwordAndCode.Length > TotpDigits && passwordAndCode[^TotpDigits..].All(char.IsAsciiDigit))
            return CheckAsync(name, passwordAndCode[..^TotpDigits], passwordAndCode[^TotpDigits..], address, cancellation);
        return CheckAsync(name, passwordAndCode, null, address, cancellation);
    }

    /// <summary>
    /// <see cref="CheckAppendedAsync"/> for the forms that send the password with every request (HTTP Basic, kvmd's
    /// X-KVMD headers): a client polling a Redfish system every few seconds would otherwise count as a login each time
    /// (10 a minute lock it out of the limiter) and cost an Argon2 hash each (most of a second on a Pi). The same name
    /// and password within <see cref="RepeatWindow"/> of a full check pass without either, as long as the account still
    /// has that password hash, is not locked and has no TOTP (whose codes are good once: such a user opens a session).
    /// </summary>
    public async Task<LoginOutcome> CheckEachRequestAsync(string name, string passwordAndCode, string address, CancellationToken cancellation)
    {
        var user = store.FindUser(name);
        var mac = HMACSHA256.HashData(_repeatKey, Encoding.UTF8.GetBytes(passwordAndCode));
        var now = time.GetUtcNow();
        if (user is { Locked: false, HasTotp: false } && _verified.TryGetValue(name, out var known) && known.Until > now
            && known.PasswordHash == user.PasswordHash && CryptographicOperations.FixedTimeEquals(known.Mac, mac) && SecondFactorRefusal(user, null, address) is null)
            return LoginOutcome.Accepted(user);
        var outcome = await CheckAppendedAsync(name, passwordAndCode, address, cancellation).ConfigureAwait(false);
        if (outcome.User is { HasTotp: false } good) _verified[good.Name] = new Verified(mac, good.PasswordHash, now + RepeatWindow);
        else _verified.TryRemove(name, out _);
        return outcome;
    }

    /// <summary>The refusal after a right password: a code missing or wrong, or TOTP required and not enrolled; null to go on.</summary>
    private LoginOutcome? SecondFactorRefusal(UserAccount user, string? code, string address)
    {
        var requirement = state.Current.Server.ApiRequireTotp;
        if (!user.HasTotp)
        {
            if (requirement == TotpRequirement.None || (requirement == TotpRequirement.Admins && user.Role != ControlRole.Admin)) return null;
            // Only after the right password: this tells nothing to whoever does not know it.
            LogLoginRefused(user.Name, address, "no TOTP, which server.api_require_totp requires");
            return new LoginOutcome(null, StatusCodes.Status403Forbidden,
                $"user {user.Name} must log in with TOTP (server.api_require_totp: {requirement.ToString().ToLowerInvariant()}) and has none: on the box, " +
                $"netbootpi user totp enable {user.Name}, scan its QR code, then netbootpi user totp confirm {user.Name} CODE");
        }
        string why;
        if (string.IsNullOrWhiteSpace(code)) why = "no TOTP code";
        else
        {
            var (result, left) = store.UseSecondFactor(user.Name, code.Trim());
            switch (result)
            {
                case SecondFactor.Totp:
                    return null;
                case SecondFactor.RecoveryCode:
                    LogRecoveryCode(user.Name, address, left);
                    return null;
            }
            why = "wrong or used TOTP code";
        }
        var now = store.RecordFailure(user.Name);
        LogLoginRefused(user.Name, address, now is { Locked: true } ? why + "; now locked" : why);
        return new LoginOutcome(null, StatusCodes.Status401Unauthorized, WrongLogin);
    }

    [LoggerMessage(EventId = 622, Level = LogLevel.Warning, Message = "accounts: login as {User} from {Address} refused: {Reason}")]
    private partial void LogLoginRefused(string user, string address, string reason);

    [LoggerMessage(EventId = 623, Level = LogLevel.Warning, Message = "accounts: login as {User} from {Address} refused: too many attempts")]
    private partial void LogLimited(string user, string address);

    [LoggerMessage(EventId = 625, Level = LogLevel.Warning, Message = "accounts: user {User} logged in from {Address} with a recovery code; {Left} left (netbootpi user totp disable, then enable, makes new ones)")]
    private partial void LogRecoveryCode(string user, string address, int left);
}
