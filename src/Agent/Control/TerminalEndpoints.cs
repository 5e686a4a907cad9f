using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using NetbootPi.Agent.Control.Accounts;
using NetbootPi.Agent.Os.Users;
using NetbootPi.Agent.Terminal;

namespace NetbootPi.Agent.Control;

/// <summary>
/// The web console's terminal (docs/console-web.md): a WebSocket to a shell on the box, for an admin's login session
/// only, as the local user of the account's name. Over the network only (a session is a browser's).
/// </summary>
/// <remarks>
/// A browser sends the session cookie with a WebSocket's opening request whatever page asks (SameSite=Strict aside),
/// and a WebSocket can send no anti-CSRF header, so the page's origin is what is checked: the request's Origin must be
/// this box as the request addressed it (<c>https://HOST</c>). Tokens and HTTP Basic are refused: a terminal lives as
/// long as a login session and ends with it, and a token has none.
/// </remarks>
public sealed class TerminalEndpoints(TerminalService terminals, SessionStore sessions, TimeProvider time) : IControlEndpoints
{
    public const string TerminalPath = "/api/v1/terminal";

    /// <summary>How often an open terminal's session is checked for expiry (a logout, a new password or the user removed end it at once).</summary>
    public static readonly TimeSpan SessionCheck = TimeSpan.FromSeconds(10);

    public IEnumerable<ControlRoute> Routes =>
    [
        new("GET", TerminalPath, ControlRole.Admin, Changes: false, OpenAsync)
        {
            NetworkOnly = true,
            Summary = "A WebSocket to a login shell on the box, as the local user of the session's account name, in a transient systemd unit of its own (outside the agent's sandbox): binary messages are the terminal's bytes both ways, a text message {\"cols\":N,\"rows\":M} its size. An admin's login session only, from a page of this box (Origin); it ends with the session; audited at open and close.",
            Query = [new("cols", false, "the terminal's width in columns at the start (80)"), new("rows", false, "its height in rows (24)")],
            ReplyMediaType = "application/octet-stream",
        },
    ];

    /// <summary>Why the session's account gets no terminal, or null when it may have one (as <paramref name="user"/>).</summary>
    public static string? Refusal(string account, out UnixUsers.User? user)
    {
        user = UnixUsers.Find(account);
        if (user is null)
            return $"the terminal runs as the local user of the account's name, and the box has no local user '{account}' (make one on the box: useradd -m -s /bin/bash {account})";
        if (!UnixUsers.MayLogIn(user)) return $"the local user '{account}' may not log in (its shell is {user.Shell})";
        return null;
    }

    private async Task OpenAsync(HttpContext context, ControlCaller caller)
    {
        // ControlNetworkService routes an HTTP/2 WebSocket's CONNECT as GET; the WebSocket middleware wants it as it came.
        if (context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true }) context.Request.Method = HttpMethods.Connect;
        var from = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        Task Refuse(int status, string why)
        {
            terminals.Refused(caller.ToString(), why);
            return ControlRouter.ReplyAsync(context, status, why);
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Refuse(StatusCodes.Status400BadRequest, $"{TerminalPath} is a WebSocket: open it with an Upgrade: websocket request").ConfigureAwait(false);
            return;
        }
        if (caller.Session is not { } session || context.Request.Cookies[SessionEndpoints.CookieName] is not { Length: > 0 } cookie)
        {
            await Refuse(StatusCodes.Status403Forbidden,
                "the terminal is for a login session (it ends with it): log in (POST /api/v1/login) and send the session cookie, not a token").ConfigureAwait(false);
            return;
        }
        var origin = context.Request.Headers.Origin.ToString();
        if (origin != "https://" + context.Request.Host.Value)
        {
            await Refuse(StatusCodes.Status403Forbidden,
                $"the terminal opens from this box's own pages only: Origin must be https://{context.Request.Host.Value}, not '{origin}'").ConfigureAwait(false);
            return;
        }
        if (Refusal(session.User, out var user) is { } refusal)
        {
            await Refuse(StatusCodes.Status403Forbidden, refusal).ConfigureAwait(false);
            return;
        }
        var columns = Dimension(context, "cols", 80, TerminalService.MaxColumns);
        var rows = Dimension(context, "rows", 24, TerminalService.MaxRows);
        if (columns is null || rows is null)
        {
            await Refuse(StatusCodes.Status400BadRequest,
                $"cols= and rows= must be whole numbers from 1 to {TerminalService.MaxColumns} and {TerminalService.MaxRows}").ConfigureAwait(false);
            return;
        }
        // The terminal ends with the session: at once when it is ended (logout, a new password, the user removed),
        // and within SessionCheck of its expiry, which is only seen when the store is asked.
        using var ended = new CancellationTokenSource();
        void End(string id)
        {
            if (id != session.Id) return;
            try
            {
                ended.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The terminal is over already.
            }
        }
        sessions.Ended += End;
        try
        {
            using var check = time.CreateTimer(_ => { if (!sessions.IsLive(cookie)) End(session.Id); }, null, SessionCheck, SessionCheck);
            using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            await terminals.RunAsync(socket, session.User, user!, $"from {from}", columns.Value, rows.Value, () => sessions.Find(cookie) is not null, ended.Token,
                context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            sessions.Ended -= End;
        }
    }

    private static int? Dimension(HttpContext context, string name, int fallback, int max)
    {
        var text = context.Request.Query[name].ToString();
        if (text.Length == 0) return fallback;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max ? n : null;
    }
}
