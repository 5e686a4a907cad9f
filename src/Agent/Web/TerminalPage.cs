using System.Text;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Os.Users;

namespace NetbootPi.Agent.Web;

/// <summary>
/// The terminal, for admins: the box's own shell in the page, drawn by xterm.js (vendored, <c>/assets/xterm.js</c>),
/// over the WebSocket <see cref="TerminalEndpoints.TerminalPath"/> (<c>/assets/terminal.js</c> joins them). Says
/// whose shell it is and that it ends with the login session; an account with no local user of its name gets that
/// said instead of a terminal.
/// </summary>
internal static class TerminalPage
{
    public static string Render(string account, UnixUsers.User? user, string? refusal, string licenceUrl)
    {
        var s = new StringBuilder(2048);
        s.Append("<h1>Terminal</h1>");
        if (user is null || refusal is not null)
        {
            s.Append("<p class=\"notice bad\" role=\"alert\">").Append(Html.E(refusal ?? "no terminal for this account")).Append("</p>");
            return s.ToString();
        }
        s.Append("<p class=\"hint\">A login shell of the box's local user <strong>").Append(Html.E(user.Name)).Append("</strong> (the account ")
            .Append(Html.E(account)).Append("'s name), with that user's rights, outside the agent's sandbox. It is audited, and it ends when the shell ends, ")
            .Append("when this page closes, or when you log out.</p>");
        s.Append("<p id=\"terminal-status\" class=\"notice\" role=\"status\">Connecting…</p>");
        s.Append("<div id=\"terminal\" class=\"terminal\" data-socket=\"").Append(TerminalEndpoints.TerminalPath).Append("\"></div>");
        s.Append("<p class=\"hint\">Drawn by <a href=\"").Append(Html.E(licenceUrl)).Append("\">xterm.js (MIT licence)</a>.</p>");
        return s.ToString();
    }
}
