using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Control.Accounts;
using NetbootPi.Agent.Os.Users;
using NetbootPi.Agent.Site;
using NetbootPi.Hardware.UsbGadget;

namespace NetbootPi.Agent.Web;

/// <summary>
/// The web console's pages on the control API's router (over HTTPS only): each a route with its role, checked as
/// every API route is (a session cookie or a token; pages change nothing, and what they change they change through
/// the API with the session's anti-CSRF token). A page shows what the API answers the same caller (it runs the API's
/// own handlers inside the agent, <see cref="ControlRouter.InvokeAsync"/>), rendered on the server as HTML; a little
/// plain JavaScript (<c>/assets/console.js</c>) adds the live parts. Every answer carries a Content-Security-Policy
/// with no inline script or style and no framing. Without credentials (or with a session that ended) a page
/// redirects to the login page, which says why; a role short is a page saying which role it needs.
/// </summary>
public sealed class WebPages(Func<ControlRouter> router, WebAssets assets, SiteState state, TimeProvider time, string version) : IControlEndpoints
{
    public const string DashboardPath = "/";
    public const string LoginPath = "/login";
    public const string HostsPath = "/hosts";
    public const string HostPath = "/host";
    public const string SitePath = "/site";
    public const string ConsolePath = "/console";
    public const string WireGuardPath = "/wireguard";
    public const string UsersPath = "/users";
    public const string TerminalPath = "/terminal";

    /// <summary>Only this origin's scripts, styles, images and connections; no inline code, no plugins, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public IEnumerable<ControlRoute> Routes =>
    [
        Page(LoginPath, ControlRole.Anyone, LoginAsync,
            "The web console's login page: name, password and the TOTP code of an account that has one; says when a session ended.",
            [new("next", false, "the page to go to after the login (a path on this box)"), new("ended", false, "1: the session ended"), new("out", false, "1: logged out")]),
        Page(DashboardPath, ControlRole.Viewer, DashboardAsync,
            "The web console's dashboard: the agent's status, warnings (refused site files, hosts in trouble), networks and link state, counters, recent events live."),
        Page(HostsPath, ControlRole.Viewer, HostsAsync,
            "The web console's hosts: a filterable table (name, MAC, address, profile, lease, power, last boot event) with power buttons for operators."),
        Page(HostPath, ControlRole.Viewer, HostAsync,
            "The web console's page of one host: its boot flight recorder (its events as a timeline, live) and what the site derives for it.",
            [new("name", true, "the host's name in the site")]),
        Page(SitePath, ControlRole.Viewer, SiteAsync,
            "The web console's site page: the site file with line numbers and when it was loaded; for admins an editor that validates it (errors at their line), shows what an apply changes, applies, rolls back, and confirms a pending network change."),
        Page(ConsolePath, ControlRole.Viewer, ConsoleAsync,
            "The web console's page of the console host (kvm: in the site): its screen live with the capture's state, its keyboard (keys, paste as typing, chords) and virtual drive (catalog, attach, eject, upload and add by URL with progress) for operators."),
        Page(WireGuardPath, ControlRole.Viewer, WireGuardAsync,
            "The web console's WireGuard page: the tunnel and its peers with what the kernel says of them; for admins adding a peer with a key pair made in the browser (its client config and a QR code of it shown once; the private key never sent) or by a public key it made, disabling, enabling and removing peers."),
        Page(UsersPath, ControlRole.Admin, UsersAsync,
            "The web console's users and tokens page: users (role, TOTP, locked) to add, remove, unlock and give a new password; API tokens to create (shown once) and revoke."),
        Page(TerminalPath, ControlRole.Admin, TerminalAsync,
            "The web console's terminal: a login shell on the box in the page (xterm.js over the WebSocket /api/v1/terminal), as the local user of the account's name; ends with the login session."),
        .. assets.Routes,
    ];

    private ControlRoute Page(string path, ControlRole role, ControlHandler handler, string summary, IReadOnlyList<ControlQuery>? query = null) =>
        new("GET", path, role, Changes: false, handler)
        {
            NetworkOnly = true,
            Summary = summary,
            Query = query ?? [],
            ReplyMediaType = "text/html",
            Refused = RefuseAsync,
            IsPage = true,
        };

    /// <summary>The headers of every page and asset: the policy, no sniffing, no framing, no referrer leaving the box.</summary>
    public static void SecurityHeaders(HttpContext context)
    {
        var h = context.Response.Headers;
        h.ContentSecurityPolicy = ContentSecurityPolicy;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "no-referrer";
        h["Cross-Origin-Opener-Policy"] = "same-origin";
    }

    /// <summary>
    /// A refused page: without credentials, to the login page (saying the session ended when the browser sent one
    /// that no longer counts, and coming back here after); otherwise a page with the reason.
    /// </summary>
    private Task RefuseAsync(HttpContext context, int status, string why)
    {
        SecurityHeaders(context);
        context.Response.Headers.CacheControl = "no-store";
        if (status == StatusCodes.Status401Unauthorized)
        {
            var ended = context.Request.Cookies[SessionEndpoints.CookieName] is { Length: > 0 };
            if (ended) context.Response.Headers.Append("Set-Cookie", $"{SessionEndpoints.CookieName}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
            var next = context.Request.Path.Value + context.Request.QueryString.Value;
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
            context.Response.Headers.Location = LoginPath + "?" + (ended ? "ended=1&" : "") + "next=" + Uri.EscapeDataString(next);
            return Task.CompletedTask;
        }
        var s = new StringBuilder();
        s.Append("<h1>").Append(status == StatusCodes.Status403Forbidden ? "Not for this account" : "Something went wrong").Append("</h1>");
        s.Append("<p class=\"notice bad\" role=\"alert\">").Append(Html.E(why)).Append("</p>");
        s.Append("<p><a href=\"/\">Back to the dashboard</a></p>");
        return WriteAsync(context, status, "Refused", null, null, s.ToString());
    }

    /// <summary>A page: the layout around <paramref name="main"/>, with the security headers, never cached.</summary>
    internal Task WriteAsync(HttpContext context, int status, string title, ControlCaller? caller, string? current, string main, string? pageData = null,
        string? script = null, IReadOnlyList<string>? vendor = null, string? styleNonce = null)
    {
        SecurityHeaders(context);
        // Style elements with this answer's nonce, and no other inline style (the terminal's xterm.js writes <style>).
        if (styleNonce is not null) context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy.Replace("style-src 'self'", $"style-src 'self' 'nonce-{styleNonce}'", StringComparison.Ordinal);
        context.Response.Headers.CacheControl = "no-store";
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        var html = PageLayout.Render(assets, version, title, caller, current, main, pageData, script, vendor, styleNonce);
        return context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(html), context.RequestAborted).AsTask();
    }

    /// <summary>What the API's GET <paramref name="path"/> answers this caller.</summary>
    private async Task<ApiAnswer> ApiAsync(HttpContext context, ControlCaller caller, string path, string query = "")
    {
        var (status, body) = await router().InvokeAsync(context, path, query, caller).ConfigureAwait(false);
        return ApiAnswer.From(path, status, body, json: path != "/metrics");
    }

    private Task LoginAsync(HttpContext context, ControlCaller caller)
    {
        var q = context.Request.Query;
        var main = LoginPage.Render(q["next"].ToString(), q["ended"] == "1", q["out"] == "1");
        return WriteAsync(context, StatusCodes.Status200OK, "Log in", null, null, main);
    }

    private async Task DashboardAsync(HttpContext context, ControlCaller caller)
    {
        var status = await ApiAsync(context, caller, "/api/v1/status").ConfigureAwait(false);
        var network = await ApiAsync(context, caller, "/api/v1/network").ConfigureAwait(false);
        var hosts = await ApiAsync(context, caller, "/api/v1/hosts").ConfigureAwait(false);
        var metrics = await ApiAsync(context, caller, "/metrics").ConfigureAwait(false);
        var events = await ApiAsync(context, caller, "/api/v1/events").ConfigureAwait(false);
        var main = DashboardPage.Render(status, network, hosts, metrics, events, time.GetUtcNow());
        await WriteAsync(context, StatusCodes.Status200OK, "Dashboard", caller, DashboardPath, main, "dashboard").ConfigureAwait(false);
    }

    private async Task HostsAsync(HttpContext context, ControlCaller caller)
    {
        var hosts = await ApiAsync(context, caller, "/api/v1/hosts").ConfigureAwait(false);
        var main = HostsPage.Render(hosts, caller.Role >= ControlRole.Operator, time.GetUtcNow());
        await WriteAsync(context, StatusCodes.Status200OK, "Hosts", caller, HostsPath, main, "hosts").ConfigureAwait(false);
    }

    private async Task HostAsync(HttpContext context, ControlCaller caller)
    {
        var name = context.Request.Query["name"].ToString();
        var query = "?name=" + Uri.EscapeDataString(name);
        var host = await ApiAsync(context, caller, "/api/v1/hosts", query).ConfigureAwait(false);
        if (host.Json is not { ValueKind: JsonValueKind.Array } list || list.GetArrayLength() != 1)
        {
            var s = new StringBuilder();
            s.Append("<h1>No such host</h1><p class=\"notice bad\" role=\"alert\">")
                .Append(Html.E(name.Length == 0 ? "name= must name a host of the site" : host.Error)).Append("</p><p><a href=\"/hosts\">All hosts</a></p>");
            await WriteAsync(context, StatusCodes.Status404NotFound, "No such host", caller, HostsPath, s.ToString()).ConfigureAwait(false);
            return;
        }
        var one = list[0];
        var events = await ApiAsync(context, caller, "/api/v1/events", "?host=" + Uri.EscapeDataString(Html.Str(one, "name") ?? name)).ConfigureAwait(false);
        var derived = await ApiAsync(context, caller, "/api/v1/hosts/derived", "?host=" + Uri.EscapeDataString(Html.Str(one, "name") ?? name)).ConfigureAwait(false);
        var main = HostPage.Render(one, events, derived, caller.Role >= ControlRole.Operator, time.GetUtcNow());
        await WriteAsync(context, StatusCodes.Status200OK, Html.Str(one, "name") ?? name, caller, HostsPath, main, "host").ConfigureAwait(false);
    }

    private async Task SiteAsync(HttpContext context, ControlCaller caller)
    {
        var site = await ApiAsync(context, caller, "/api/v1/site").ConfigureAwait(false);
        var network = await ApiAsync(context, caller, "/api/v1/network").ConfigureAwait(false);
        // The editing controls only for the role the site's changes need; the API checks again.
        var main = SitePage.Render(site, network, caller.Role >= ControlRole.Admin);
        await WriteAsync(context, StatusCodes.Status200OK, "Site", caller, SitePath, main, "site", "site.js").ConfigureAwait(false);
    }

    private async Task ConsoleAsync(HttpContext context, ControlCaller caller)
    {
        // Taken once: the page shows one snapshot of the site.
        if (state.Current.Kvm is not { } kvm)
        {
            await WriteAsync(context, StatusCodes.Status200OK, "Console host", caller, ConsolePath, ConsoleHostPage.RenderNone()).ConfigureAwait(false);
            return;
        }
        var status = await ApiAsync(context, caller, "/api/v1/kvm").ConfigureAwait(false);
        var capture = kvm.Capture is null ? null : await ApiAsync(context, caller, "/api/v1/capture").ConfigureAwait(false);
        var images = await ApiAsync(context, caller, "/api/v1/images").ConfigureAwait(false);
        var jobs = await ApiAsync(context, caller, "/api/v1/images/jobs").ConfigureAwait(false);
        var main = ConsoleHostPage.Render(kvm, status, capture, images, jobs,
            [.. KeyboardLayout.All.Select(l => (l.Name, (string?)l.Description))], caller.Role >= ControlRole.Operator);
        await WriteAsync(context, StatusCodes.Status200OK, "Console host " + kvm.Host, caller, ConsolePath, main, "console-host", "console-host.js").ConfigureAwait(false);
    }

    private async Task WireGuardAsync(HttpContext context, ControlCaller caller)
    {
        var peers = await ApiAsync(context, caller, "/api/v1/wireguard/peers").ConfigureAwait(false);
        // The controls only for the role the peers' changes need; the API checks again.
        var admin = caller.Role >= ControlRole.Admin;
        var main = WireGuardPage.Render(peers, admin, time.GetUtcNow(), assets["qrcode-LICENSE.txt"].Url);
        // The QR code library only where a peer can be added: a viewer's page does not load it.
        IReadOnlyList<string>? vendor = admin ? ["qrcode.js"] : null;
        await WriteAsync(context, StatusCodes.Status200OK, "WireGuard", caller, WireGuardPath, main, "wireguard", "admin.js", vendor).ConfigureAwait(false);
    }

    private async Task UsersAsync(HttpContext context, ControlCaller caller)
    {
        var users = await ApiAsync(context, caller, "/api/v1/users").ConfigureAwait(false);
        var tokens = await ApiAsync(context, caller, "/api/v1/tokens").ConfigureAwait(false);
        var main = UsersPage.Render(users, tokens, caller.Session?.User);
        await WriteAsync(context, StatusCodes.Status200OK, "Users and tokens", caller, UsersPath, main, "users", "admin.js").ConfigureAwait(false);
    }

    private async Task TerminalAsync(HttpContext context, ControlCaller caller)
    {
        var account = caller.Session?.User;
        UnixUsers.User? user = null;
        var refusal = account is null
            ? "the terminal is for a login session (it ends with it): log in with a name and password, not a token"
            : TerminalEndpoints.Refusal(account, out user);
        var main = TerminalPage.Render(account ?? caller.Name, user, refusal, assets["xterm-LICENSE.txt"].Url);
        if (refusal is not null)
        {
            await WriteAsync(context, StatusCodes.Status200OK, "Terminal", caller, TerminalPath, main).ConfigureAwait(false);
            return;
        }
        var nonce = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));
        await WriteAsync(context, StatusCodes.Status200OK, "Terminal", caller, TerminalPath, main, "terminal", "terminal.js", ["xterm.css", "xterm.js"], nonce).ConfigureAwait(false);
    }
}
