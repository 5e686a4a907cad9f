using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Control.Accounts;

/// <summary>
/// Over the network only: <c>POST /api/v1/login</c> (a name and password for a session cookie and an anti-CSRF
/// token), <c>POST /api/v1/logout</c>, and <c>GET /api/v1/health</c>, the one answer anyone gets without credentials.
/// Logins are limited per source address and per name (<see cref="LoginLimiter"/>, 429), and
/// <see cref="AccountStore.MaxFailures"/> wrong passwords (or TOTP codes) in a row lock the account until an admin
/// unlocks it. A user with TOTP must also send a code (<c>totp</c>), or one of their recovery codes.
/// </summary>
public sealed partial class SessionEndpoints(AccountStore store, PasswordHasher hasher, SessionStore sessions, LoginLimiter limiter, SiteState state,
    ILogger<SessionEndpoints> logger) : IControlEndpoints
{
    public const string LoginPath = "/api/v1/login";
    public const string LogoutPath = "/api/v1/logout";
    public const string HealthPath = "/api/v1/health";
    public const string OwnPasswordPath = "/api/v1/me/password";
    public const string CookieName = "nbp_session";
    public const string CsrfHeader = "X-CSRF-Token";

    public IEnumerable<ControlRoute> Routes =>
    [
        new("POST", LoginPath, ControlRole.Anyone, Changes: false, LoginAsync)
        {
            NetworkOnly = true,
            Summary = "Logs in with a name, a password and (when the user has it) a TOTP or recovery code: a session cookie (HttpOnly, Secure, SameSite=Strict) and the CSRF token its changes must send; rate-limited, locks an account after five failures.",
            Body = AccountJson.Default.LoginRequest, Reply = AccountJson.Default.LoginReply,
        },
        new("POST", LogoutPath, ControlRole.Viewer, Changes: true, LogoutAsync)
        {
            NetworkOnly = true, Summary = "Ends the caller's session.", Reply = AccountJson.Default.AccountDoneReply,
        },
        new("POST", OwnPasswordPath, ControlRole.Viewer, Changes: true, OwnPasswordAsync)
        {
            NetworkOnly = true,
            Summary = "A logged-in user changes their own password, giving the current one (a wrong one counts toward the lockout); every session of the user ends, this one too.",
            Body = AccountJson.Default.OwnPasswordRequest, Reply = AccountJson.Default.AccountDoneReply,
        },
        new("GET", HealthPath, ControlRole.Anyone, Changes: false, HealthAsync)
        {
            NetworkOnly = true, Summary = "Whether the API answers: the one thing told without credentials.", Reply = AccountJson.Default.HealthReply,
        },
    ];

    private static Task HealthAsync(HttpContext context, ControlCaller caller) =>
        ControlRouter.WriteAsync(context, StatusCodes.Status200OK, new HealthReply("up"), AccountJson.Default.HealthReply);

    private async Task LoginAsync(HttpContext context, ControlCaller caller)
    {
        if (await ControlBody.ReadAsync(context, AccountJson.Default.LoginRequest).ConfigureAwait(false) is not { } r) return;
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        // What reaches the log is a name that could be one: never a line break, nor a password typed in the wrong field at length.
        var logged = AccountStore.ValidName(r.Name) ? r.Name : "(not a user name)";
        if (limiter.Attempt(address, r.Name) is { } wait)
        {
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            LogLimited(logged, address);
            await ControlRouter.ReplyAsync(context, StatusCodes.Status429TooManyRequests,
                $"too many logins from {address} or for this name; try again in {seconds} s").ConfigureAwait(false);
            return;
        }
        var user = store.FindUser(r.Name);
        // Hashed whether or not the user exists: the time taken does not tell.
        var good = await hasher.VerifyAsync(r.Password, user?.PasswordHash, context.RequestAborted).ConfigureAwait(false);
        if (user is { Locked: true })
        {
            LogLoginRefused(logged, address, "locked");
            await ControlRouter.ReplyAsync(context, StatusCodes.Status403Forbidden,
                $"account {r.Name} is locked after {AccountStore.MaxFailures} failed logins; an admin lifts it with netbootpi user unlock {r.Name}").ConfigureAwait(false);
            return;
        }
        if (!good || user is null)
        {
            var now = user is null ? null : store.RecordFailure(r.Name);
            LogLoginRefused(logged, address, now is { Locked: true } ? "wrong password; now locked" : "wrong name or password");
            await ControlRouter.ReplyAsync(context, StatusCodes.Status401Unauthorized,
                store.Users.Count == 0 ? "no accounts exist yet: an admin is made on the box itself (netbootpi user add NAME --role admin)" : WrongLogin).ConfigureAwait(false);
            return;
        }
        if (await RefuseSecondFactorAsync(context, store, state.Current.Server.ApiRequireTotp, user, r.Totp, address).ConfigureAwait(false)) return;
        store.RecordSuccess(r.Name);
        var (cookie, session) = sessions.Create(user.Name, user.Role);
        context.Response.Headers.Append("Set-Cookie",
            $"{CookieName}={cookie}; Path=/; Max-Age={(int)sessions.MaxAge.TotalSeconds}; HttpOnly; Secure; SameSite=Strict");
        LogLogin(user.Name, address, AccountStore.RoleName(user.Role));
        await ControlRouter.WriteAsync(context, StatusCodes.Status200OK,
            new LoginReply(user.Name, AccountStore.RoleName(user.Role), session.Csrf, session.LastSeen + sessions.IdleTimeout, session.Started + sessions.MaxAge),
            AccountJson.Default.LoginReply).ConfigureAwait(false);
    }

    private async Task LogoutAsync(HttpContext context, ControlCaller caller)
    {
        if (context.Request.Cookies[CookieName] is { } cookie) sessions.Remove(cookie);
        context.Response.Headers.Append("Set-Cookie", $"{CookieName}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
        await ControlRouter.WriteAsync(context, StatusCodes.Status200OK, new AccountDoneReply("logged out"), AccountJson.Default.AccountDoneReply).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 621, Level = LogLevel.Information, Message = "accounts: user {User} logged in from {Address} ({Role})")]
    private partial void LogLogin(string user, string address, string role);

    [LoggerMessage(EventId = 622, Level = LogLevel.Warning, Message = "accounts: login as {User} from {Address} refused: {Reason}")]
    private partial void LogLoginRefused(string user, string address, string reason);

    [LoggerMessage(EventId = 623, Level = LogLevel.Warning, Message = "accounts: login as {User} from {Address} refused: too many attempts")]
    private partial void LogLimited(string user, string address);
}
