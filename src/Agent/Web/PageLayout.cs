using System.Text;
using NetbootPi.Agent.Control;

namespace NetbootPi.Agent.Web;

/// <summary>
/// The frame of every page: the head (the stylesheet and script by their hashed URLs, nothing inline), a skip link,
/// the navigation with who is logged in and a logout button, the page's main part, and a footer with the version.
/// The session's anti-CSRF token is in a <c>meta</c> element for the script's changes (the API asks for it in
/// <c>X-CSRF-Token</c>); a page for a token caller has none. A page with more to do than <c>console.js</c>
/// links its own script too (<c>site.js</c>, <c>console-host.js</c>), so that the other pages do not load it.
/// </summary>
internal static class PageLayout
{
    private static readonly (string Path, string Label)[] Nav = [(WebPages.DashboardPath, "Dashboard"), (WebPages.HostsPath, "Hosts"), (WebPages.SitePath, "Site"), (WebPages.ConsolePath, "Console")];

    // Pages only some roles may open: listed only to them (the route refuses the others anyway).
    private static readonly (string Path, string Label, ControlRole Role)[] RoleNav =
        [(WebPages.WireGuardPath, "WireGuard", ControlRole.Viewer), (WebPages.UsersPath, "Users", ControlRole.Admin), (WebPages.TerminalPath, "Terminal", ControlRole.Admin)];

    public static string Render(WebAssets assets, string version, string title, ControlCaller? caller, string? current, string main, string? pageData, string? script = null,
        IReadOnlyList<string>? vendor = null, string? styleNonce = null)
    {
        var s = new StringBuilder(8192);
        s.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        s.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        s.Append("<title>").Append(Html.E(title)).Append(" · netbootpi</title>");
        s.Append("<link rel=\"icon\" href=\"").Append(assets["icon.svg"].Url).Append("\" type=\"image/svg+xml\">");
        s.Append("<link rel=\"stylesheet\" href=\"").Append(assets["console.css"].Url).Append("\">");
        if (caller?.Session is { } session) s.Append("<meta name=\"csrf-token\" content=\"").Append(Html.E(session.Csrf)).Append("\">");
        // A library a page needs (xterm.js and its stylesheet), before the page's own script.
        foreach (var name in vendor ?? [])
        {
            if (name.EndsWith(".css", StringComparison.Ordinal)) s.Append("<link rel=\"stylesheet\" href=\"").Append(assets[name].Url).Append("\">");
            else s.Append("<script src=\"").Append(assets[name].Url).Append("\" defer></script>");
        }
        // The nonce the page's style elements must carry (the terminal's: xterm.js writes its colours and cell sizes as <style>).
        if (styleNonce is not null) s.Append("<meta name=\"style-nonce\" content=\"").Append(styleNonce).Append("\">");
        s.Append("<script src=\"").Append(assets["console.js"].Url).Append("\" defer></script>");
        // A page's own script (its asset's name), loaded by that page only.
        if (script is not null) s.Append("<script src=\"").Append(assets[script].Url).Append("\" defer></script>");
        s.Append("</head><body");
        if (pageData is not null) s.Append(" data-page=\"").Append(Html.E(pageData)).Append('"');
        s.Append("><a class=\"skip\" href=\"#main\">Skip to the content</a>");
        s.Append("<header class=\"top\"><a class=\"brand\" href=\"/\">netbootpi</a>");
        if (caller is not null)
        {
            s.Append("<nav aria-label=\"Pages\"><ul>");
            foreach (var (path, label) in Nav.Concat(RoleNav.Where(n => caller.Role >= n.Role).Select(n => (n.Path, n.Label))))
            {
                s.Append("<li><a href=\"").Append(path).Append('"');
                if (path == current) s.Append(" aria-current=\"page\"");
                s.Append('>').Append(label).Append("</a></li>");
            }
            s.Append("</ul></nav><div class=\"who\"><span>").Append(Html.E(Who(caller))).Append(" (").Append(ControlRouter.Name(caller.Role)).Append(")</span>");
            if (caller.Session is not null) s.Append("<button type=\"button\" id=\"logout\">Log out</button>");
            s.Append("</div>");
        }
        s.Append("</header><main id=\"main\" tabindex=\"-1\">").Append(main).Append("</main>");
        s.Append("<footer>netbootpi ").Append(Html.E(version)).Append(" · times in UTC</footer></body></html>\n");
        return s.ToString();
    }

    private static string Who(ControlCaller caller) =>
        caller.Session is { } s ? s.User : caller.Token is { } t ? $"token {t.Name}" : caller.Name;
}
