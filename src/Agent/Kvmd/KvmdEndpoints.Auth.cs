using System.Globalization;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Control;

namespace NetbootPi.Agent.Kvmd;

public sealed partial class KvmdEndpoints
{
    private async Task LoginAsync(HttpContext context, ControlCaller caller)
    {
        // kvmd reads a form (curl --data user=... --data passwd=...); anything else has no fields.
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false) : null;
        var user = form?["user"].ToString() ?? "";
        var password = form?["passwd"].ToString() ?? "";
        if (user.Length == 0)
        {
            await KvmdReplies.InvalidAsync(context, user, "user name", "send the form fields user and passwd (application/x-www-form-urlencoded)").ConfigureAwait(false);
            return;
        }
        if (form!["redirect"].ToString() is { Length: > 0 } redirect)
        {
            // kvmd takes only the redirects its configuration lists, and by default none.
            await KvmdReplies.InvalidAsync(context, redirect, "login redirect", "the box redirects nowhere after a login; leave redirect out").ConfigureAwait(false);
            return;
        }
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var outcome = await credentials.Logins.CheckAppendedAsync(user, password, address, context.RequestAborted).ConfigureAwait(false);
        if (outcome.User is not { } account)
        {
            if (outcome.RetryAfterSeconds > 0) context.Response.Headers.RetryAfter = outcome.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            // kvmd answers a wrong login with 403.
            await KvmdReplies.RefuseAsync(context, outcome.Status == StatusCodes.Status401Unauthorized ? StatusCodes.Status403Forbidden : outcome.Status, outcome.Why)
                .ConfigureAwait(false);
            return;
        }
        var (cookie, session) = credentials.Sessions.Create(account.Name, account.Role);
        context.Response.Headers.Append("Set-Cookie",
            $"{KvmdCredentials.CookieName}={cookie}; Path=/; Max-Age={(int)credentials.Sessions.MaxAge.TotalSeconds}; HttpOnly; Secure; SameSite=Strict");
        await KvmdReplies.DoneAsync(context).ConfigureAwait(false);
    }

    private async Task LogoutAsync(HttpContext context, ControlCaller caller)
    {
        if (context.Request.Cookies[KvmdCredentials.CookieName] is { Length: > 0 } cookie) credentials.Sessions.Remove(cookie);
        context.Response.Headers.Append("Set-Cookie", $"{KvmdCredentials.CookieName}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
        await KvmdReplies.DoneAsync(context).ConfigureAwait(false);
    }

    private static Task CheckAsync(HttpContext context, ControlCaller caller) => KvmdReplies.DoneAsync(context);
}
