using System.Text;
using System.Text.Json;

namespace NetbootPi.Agent.Web;

/// <summary>
/// Users and API tokens, for admins (<c>GET /api/v1/users</c>, <c>GET /api/v1/tokens</c>): each user's role, TOTP,
/// failed logins and lockout, and forms the script (<c>/assets/admin.js</c>) sends to the account endpoints: add a
/// user, set a password, unlock, remove (after a confirm); each token's role, hosts, creation and last use, a form
/// creating one (the token shown this once) and revoke (after a confirm). The API keeps no last login, so none shows.
/// </summary>
internal static class UsersPage
{
    public static string Render(ApiAnswer users, ApiAnswer tokens, string? self)
    {
        var s = new StringBuilder(8192);
        s.Append("<h1>Users and tokens</h1>");
        s.Append("<p id=\"admin-result\" class=\"notice\" role=\"status\" hidden></p>");
        Confirm(s);
        Users(s, users, self);
        Tokens(s, tokens);
        return s.ToString();
    }

    /// <summary>The one confirm step every change on the page goes through (the script fills in the question).</summary>
    internal static void Confirm(StringBuilder s) =>
        s.Append("<div id=\"confirm\" class=\"notice warn confirm\" role=\"alertdialog\" aria-labelledby=\"confirm-what\" hidden><p id=\"confirm-what\"></p>")
            .Append("<p class=\"buttons\"><button type=\"button\" id=\"confirm-yes\">Yes</button> <button type=\"button\" id=\"confirm-no\">Cancel</button></p></div>");

    private static void Users(StringBuilder s, ApiAnswer users, string? self)
    {
        s.Append("<section id=\"users-box\" aria-labelledby=\"users-h\"><h2 id=\"users-h\">Users</h2>");
        if (users.Json is not { ValueKind: JsonValueKind.Array } list)
        {
            s.Append("<p class=\"notice bad\" role=\"alert\">").Append(Html.E(users.Error)).Append("</p></section>");
            return;
        }
        s.Append("<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"The users, scrolling sideways\"><table id=\"users\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Role</th><th scope=\"col\">TOTP</th>")
            .Append("<th scope=\"col\">Locked</th><th scope=\"col\">Created</th><th scope=\"col\">Actions</th></tr></thead><tbody>");
        foreach (var u in list.EnumerateArray())
        {
            var name = Html.Str(u, "name") ?? "";
            var locked = u.TryGetProperty("locked", out var l) && l.ValueKind == JsonValueKind.True;
            var failed = Html.Num(u, "failed_logins");
            s.Append("<tr data-user=\"").Append(Html.E(name)).Append("\"><th scope=\"row\">").Append(Html.E(name));
            if (name == self) s.Append(" <span class=\"hint\">(you)</span>");
            s.Append("</th><td>").Append(Html.E(Html.Str(u, "role"))).Append("</td><td>");
            var totp = Html.Str(u, "totp") ?? "off";
            Html.Badge(s, totp == "on" ? "ok" : totp == "off" ? "idle" : "warn", totp);
            s.Append("</td><td>");
            if (locked)
            {
                Html.Badge(s, "bad", "locked");
                s.Append(" <span class=\"hint\">since ").Append(Html.Time(Html.Str(u, "locked_since"))).Append("</span>");
            }
            else s.Append("no");
            if (failed > 0) s.Append(" <span class=\"hint\">(").Append(failed).Append(failed == 1 ? " failed login" : " failed logins").Append(")</span>");
            s.Append("</td><td>").Append(Html.Time(Html.Str(u, "created"))).Append("</td><td><div class=\"row-buttons\">");
            s.Append("<button type=\"button\" data-action=\"password\" data-name=\"").Append(Html.E(name)).Append("\" aria-label=\"Set password for ").Append(Html.E(name))
                .Append("\">Set password</button>");
            if (locked || failed > 0)
                WireGuardPage.Action(s, "unlock", name, "Unlock", $"Unlock {name}? Their failed logins are cleared and they may log in again.");
            WireGuardPage.Action(s, "remove-user", name, "Remove",
                name == self ? $"Remove {name}? That is you: this session ends and you cannot log in as {name} again." : $"Remove {name}? Their sessions end at once.");
            s.Append("</div></td></tr>");
        }
        s.Append("</tbody></table></div>");
        s.Append("<p class=\"hint\">The agent keeps no record of last logins; the journal has each login (<code>journalctl -u netbootpi</code>). TOTP is enrolled on the box: <code>netbootpi user totp enable NAME</code>.</p>");

        s.Append("<form id=\"password-form\" class=\"admin-form\" hidden><h3 id=\"password-h\">Set a password</h3>");
        s.Append("<input type=\"hidden\" id=\"password-user\" name=\"name\">");
        s.Append("<label for=\"password-new\">New password for <span id=\"password-who\"></span></label>");
        s.Append("<input type=\"password\" id=\"password-new\" name=\"password\" minlength=\"10\" required autocomplete=\"new-password\" aria-describedby=\"password-rule\">");
        s.Append("<span class=\"hint\" id=\"password-rule\">10 characters or more; their sessions end</span>");
        s.Append("<p class=\"buttons\"><button type=\"submit\" id=\"password-set\">Set the password</button> <button type=\"button\" id=\"password-cancel\">Cancel</button></p></form>");
        s.Append("</section>");

        s.Append("<section aria-labelledby=\"user-add-h\"><h2 id=\"user-add-h\">Add a user</h2><form id=\"user-form\" class=\"admin-form\">");
        s.Append("<label for=\"user-name\">Name</label><input id=\"user-name\" name=\"name\" required autocomplete=\"off\" spellcheck=\"false\" autocapitalize=\"none\">");
        Role(s, "user-role");
        s.Append("<label for=\"user-password\">Initial password</label><input type=\"password\" id=\"user-password\" name=\"password\" minlength=\"10\" required autocomplete=\"new-password\" aria-describedby=\"user-password-rule\">");
        s.Append("<span class=\"hint\" id=\"user-password-rule\">10 characters or more</span>");
        s.Append("<p class=\"buttons\"><button type=\"submit\" id=\"user-add\">Add the user</button></p></form></section>");
    }

    private static void Tokens(StringBuilder s, ApiAnswer tokens)
    {
        s.Append("<section id=\"tokens-box\" aria-labelledby=\"tokens-h\"><h2 id=\"tokens-h\">API tokens</h2>");
        if (tokens.Json is not { ValueKind: JsonValueKind.Array } list)
        {
            s.Append("<p class=\"notice bad\" role=\"alert\">").Append(Html.E(tokens.Error)).Append("</p></section>");
            return;
        }
        if (list.GetArrayLength() == 0) s.Append("<p>No tokens yet.</p>");
        else
        {
            s.Append("<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"The tokens, scrolling sideways\"><table id=\"tokens\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Id</th><th scope=\"col\">Role</th><th scope=\"col\">Hosts</th>")
                .Append("<th scope=\"col\">Created</th><th scope=\"col\">Last used</th><th scope=\"col\">State</th></tr></thead><tbody>");
            foreach (var t in list.EnumerateArray())
            {
                var id = Html.Str(t, "id") ?? "";
                var name = Html.Str(t, "name") ?? "";
                var revoked = t.TryGetProperty("revoked", out var r) && r.ValueKind == JsonValueKind.True;
                var hosts = Html.Obj(t, "hosts");
                var scoped = hosts.ValueKind == JsonValueKind.Array && hosts.GetArrayLength() > 0 ? string.Join(", ", hosts.EnumerateArray().Select(h => h.GetString())) : null;
                s.Append("<tr data-token=\"").Append(Html.E(id)).Append("\"><th scope=\"row\">").Append(Html.E(name)).Append("</th><td><code>").Append(Html.E(id)).Append("</code></td><td>")
                    .Append(Html.E(Html.Str(t, "role"))).Append("</td><td>").Append(scoped is null ? "all" : Html.E(scoped)).Append("</td><td>")
                    .Append(Html.Time(Html.Str(t, "created"))).Append("</td><td>");
                s.Append(Html.Str(t, "last_used") is { } used ? Html.Time(used) : "never").Append("</td><td>");
                if (revoked)
                {
                    Html.Badge(s, "idle", "revoked");
                    s.Append(' ').Append(Html.Time(Html.Str(t, "revoked_at")));
                }
                else
                {
                    Html.Badge(s, "ok", "valid");
                    s.Append(' ');
                    WireGuardPage.Action(s, "revoke", id, "Revoke", $"Revoke the token {name} ({id})? Whatever uses it is refused from now on.");
                }
                s.Append("</td></tr>");
            }
            s.Append("</tbody></table></div>");
        }
        s.Append("</section>");

        s.Append("<section aria-labelledby=\"token-add-h\"><h2 id=\"token-add-h\">Create a token</h2><form id=\"token-form\" class=\"admin-form\">");
        s.Append("<label for=\"token-name\">Name <span class=\"hint\">(what it is for)</span></label><input id=\"token-name\" name=\"name\" required maxlength=\"64\" autocomplete=\"off\">");
        Role(s, "token-role");
        s.Append("<label for=\"token-hosts\">Hosts <span class=\"hint\">(optional: only these hosts' things; space or comma between names)</span></label>")
            .Append("<input id=\"token-hosts\" name=\"hosts\" autocomplete=\"off\" spellcheck=\"false\">");
        s.Append("<p class=\"buttons\"><button type=\"submit\" id=\"token-create\">Create the token</button></p></form>");
        s.Append("<section id=\"token-made\" class=\"notice warn\" aria-labelledby=\"token-made-h\" hidden><h3 id=\"token-made-h\">The new token</h3>")
            .Append("<p>Shown this once: copy it now (the box keeps only its hash). It goes in <code>Authorization: Bearer …</code>.</p>")
            .Append("<p><code id=\"token-secret\" class=\"wrap secret\" tabindex=\"0\"></code></p></section></section>");
    }

    private static void Role(StringBuilder s, string id) =>
        s.Append("<label for=\"").Append(id).Append("\">Role</label><select id=\"").Append(id).Append("\" name=\"role\">")
            .Append("<option value=\"viewer\">viewer: sees everything, changes nothing</option>")
            .Append("<option value=\"operator\">operator: also power and consoles</option>")
            .Append("<option value=\"admin\">admin: also the site, peers, users and tokens</option></select>");
}
