using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Control.Accounts;

namespace NetbootPi.Agent.Kvmd;

/// <summary>
/// Who calls a kvmd path, in kvmd's forms and order (kvmd/apps/kvmd/api/auth.py): <c>X-KVMD-User</c> and
/// <c>X-KVMD-Passwd</c>, then the <c>auth_token</c> cookie of <c>POST /api/auth/login</c>, then HTTP Basic; also the
/// API's own bearer tokens. A password is the account's, with the TOTP code appended when the account has TOTP (as
/// PiKVM's 2FA), or an API token in its place; checked, limited and locked out by <see cref="PasswordLogins"/>, as
/// every login. kvmd's codes: 401 when no credentials came (or Basic that is not base64 of NAME:PASSWORD), 403 when
/// they are wrong. A browser sends the cookie by itself, so the cookie authorises a change only with an
/// <c>Origin</c> that is the box's own or an <c>X-KVMD-</c> header (which a page of another site cannot add without
/// asking): no cross-site request forgery through these paths.
/// </summary>
public sealed partial class KvmdCredentials(AccountStore store, SessionStore sessions, PasswordLogins logins, ILogger<KvmdCredentials> logger)
{
    public const string UserHeader = "X-KVMD-User";
    public const string PasswordHeader = "X-KVMD-Passwd";
    public const string CookieName = "auth_token";

    public SessionStore Sessions => sessions;

    public PasswordLogins Logins => logins;

    public async ValueTask<ControlCaller?> AuthenticateAsync(HttpContext context, ControlRoute route)
    {
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var headers = context.Request.Headers;
        if (headers[UserHeader].ToString() is { Length: > 0 } user)
            return await PasswordAsync(context, route, address, user, headers[PasswordHeader].ToString(), "xhdr").ConfigureAwait(false);
        if (context.Request.Cookies[CookieName] is { Length: > 0 } cookie)
        {
            if (sessions.Find(cookie) is not { } session)
                return await ForbiddenAsync(context, route, address, "the auth_token cookie names no session: it ended (idle too long, too old, or logged out); log in again (POST /api/auth/login)").ConfigureAwait(false);
            if (store.FindUser(session.User) is not { Locked: false } account)
            {
                sessions.Remove(cookie);
                return await ForbiddenAsync(context, route, address, "the session's user was removed or locked").ConfigureAwait(false);
            }
            if (route.Changes && route.Path != KvmdEndpoints.LogoutPath && !SameOrigin(context) && !headers.Keys.Any(k => k.StartsWith("X-KVMD-", StringComparison.OrdinalIgnoreCase)))
            {
                LogCrossSite(account.Name, address, route.Method, route.Path, headers.Origin.ToString());
                return await ForbiddenAsync(context, route, address,
                    $"{route.Method} {route.Path} changes something: with the auth_token cookie, send an Origin that is this box's own (a browser does) or any X-KVMD- header (as kvmd's clients do)").ConfigureAwait(false);
            }
            return new ControlCaller($"user {account.Name}", $"from {address} (kvmd cookie)", account.Role) { Session = session };
        }
        var authorization = headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            if (!BasicCredentials.TryDecode(authorization[6..], out var name, out var password))
                return await UnauthorizedAsync(context, route, address, BasicCredentials.NotDecodable).ConfigureAwait(false);
            return await PasswordAsync(context, route, address, name, password, "basic").ConfigureAwait(false);
        }
        if (authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            if (store.UseToken(authorization[7..].Trim()) is { } token) return ControlCaller.Of(token, address);
            return await UnauthorizedAsync(context, route, address, "the token is not one the box knows, or it was revoked").ConfigureAwait(false);
        }
        return await UnauthorizedAsync(context, route, address,
            "no credentials: send X-KVMD-User and X-KVMD-Passwd, HTTP Basic, or the auth_token cookie of POST /api/auth/login").ConfigureAwait(false);
    }

    /// <summary>
    /// A name and a password (TOTP code appended when the account has one) or an API token in the password's place; sent
    /// with every request (X-KVMD headers, Basic), so the same password again passes without a new hash for a while.
    /// </summary>
    private async ValueTask<ControlCaller?> PasswordAsync(HttpContext context, ControlRoute route, string address, string name, string secret, string form)
    {
        if (secret.StartsWith(AccountStore.TokenPrefix, StringComparison.Ordinal) && store.UseToken(secret) is { } token) return ControlCaller.Of(token, address);
        var outcome = await logins.CheckEachRequestAsync(name, secret, address, context.RequestAborted).ConfigureAwait(false);
        if (outcome.User is { } user) return new ControlCaller($"user {user.Name}", $"from {address} ({form})", user.Role) { User = user.Name };
        if (outcome.RetryAfterSeconds > 0)
        {
            context.Response.Headers.RetryAfter = outcome.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await ControlRouter.RefuseAsync(context, route, outcome.Status, outcome.Why).ConfigureAwait(false);
            return null;
        }
        // kvmd answers wrong credentials with 403, whatever was wrong.
        return await ForbiddenAsync(context, route, address, outcome.Why).ConfigureAwait(false);
    }

    /// <summary>Whether the request's Origin is the box's own address as the client reached it.</summary>
    private static bool SameOrigin(HttpContext context) =>
        context.Request.Headers.Origin.ToString() is { Length: > 0 } origin && context.Request.Host.HasValue
        && string.Equals(origin, $"https://{context.Request.Host.Value}", StringComparison.OrdinalIgnoreCase);

    private async Task<ControlCaller?> UnauthorizedAsync(HttpContext context, ControlRoute route, string address, string why)
    {
        LogRefused(address, route.Method, route.Path, 401);
        // No WWW-Authenticate: kvmd sends none, so a browser shows no password dialog of its own.
        await ControlRouter.RefuseAsync(context, route, StatusCodes.Status401Unauthorized, why).ConfigureAwait(false);
        return null;
    }

    private async Task<ControlCaller?> ForbiddenAsync(HttpContext context, ControlRoute route, string address, string why)
    {
        LogRefused(address, route.Method, route.Path, 403);
        await ControlRouter.RefuseAsync(context, route, StatusCodes.Status403Forbidden, why).ConfigureAwait(false);
        return null;
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "kvmd: {Method} {Path} from {Address} refused ({Status}): no credentials, or wrong ones")]
    private partial void LogRefused(string address, string method, string path, int status);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "kvmd: user {User} from {Address}: {Method} {Path} with the auth_token cookie, without the box's Origin ('{Origin}') or an X-KVMD- header, refused")]
    private partial void LogCrossSite(string user, string address, string method, string path, string origin);
}
