using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace NetbootPi.Agent.Control.Accounts;

/// <summary>
/// Over the network only: <c>POST /api/v1/login</c> (a name and password for a session cookie and an anti-CSRF
/// token), <c>POST /api/v1/logout</c>, and <c>GET /api/v1/health</c>, the one answer anyone gets without credentials.
/// The check itself, its limits and lockout are <see cref="PasswordLogins"/>'. A user with TOTP must also send a code
/// (<c>totp</c>), or one of their recovery codes.
/// </summary>
public sealed partial class SessionEndpoints(PasswordLogins logins, PasswordHasher hasher, SessionStore sessions, ILogger<SessionEndpoints> logger)
    : IControlEndpoints
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
        var outcome = await logins.CheckAsync(r.Name, r.Password, r.Totp, address, context.RequestAborted).ConfigureAwait(false);
        if (outcome.User is not { } user)
        {
            if (outcome.RetryAfterSeconds > 0) context.Response.Headers.RetryAfter = outcome.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await ControlRouter.ReplyAsync(context, outcome.Status, outcome.Why).ConfigureAwait(false);
            return;
        }
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

}
