using System.Text;

namespace NetbootPi.Agent.Web;

/// <summary>
/// The login form: name, password, and the one-time code asked in the same form. The API answers every failed
/// login alike (it never tells that the password was right, nor whether an account has TOTP), so the page cannot ask
/// for the code only after a right password: the field is there, optional, for accounts that have it.
/// </summary>
internal static class LoginPage
{
    public static string Render(string next, bool ended, bool loggedOut)
    {
        var s = new StringBuilder();
        s.Append("<h1>Log in to netbootpi</h1>");
        if (ended)
            s.Append("<p class=\"notice warn\" role=\"status\">Your session ended: 30 minutes without a request, 12 hours after the login, a new password, or a restart of the box end it. Please log in again.</p>");
        else if (loggedOut)
            s.Append("<p class=\"notice ok\" role=\"status\">You are logged out.</p>");
        s.Append("<form id=\"login\" class=\"login\" method=\"post\" action=\"/api/v1/login\" data-next=\"").Append(Html.E(SafeNext(next))).Append("\">");
        s.Append("<label for=\"name\">Name</label><input id=\"name\" name=\"name\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" required>");
        s.Append("<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>");
        s.Append("<label for=\"totp\">One-time code <span class=\"hint\">(only if your account has TOTP: 6 digits from the app, or a recovery code)</span></label>");
        s.Append("<input id=\"totp\" name=\"totp\" autocomplete=\"one-time-code\" inputmode=\"text\" spellcheck=\"false\">");
        s.Append("<button type=\"submit\">Log in</button>");
        s.Append("<p id=\"login-error\" class=\"notice bad\" role=\"alert\" hidden></p>");
        s.Append("</form>");
        s.Append("<noscript><p class=\"notice warn\">The console needs JavaScript (its own, from this box) to log in.</p></noscript>");
        s.Append("<p class=\"hint\">No account yet? An admin is made on the box itself: <code>netbootpi user add NAME --role admin</code>.</p>");
        return s.ToString();
    }

    /// <summary>Where to go after the login: a path on this box only (never <c>//elsewhere</c>: no open redirect).</summary>
    public static string SafeNext(string next) =>
        next.StartsWith('/') && !next.StartsWith("//", StringComparison.Ordinal) && !next.Contains('\\') && !next.StartsWith(WebPages.LoginPath, StringComparison.Ordinal) ? next : "/";
}
