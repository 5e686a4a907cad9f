using System.Text;
using System.Text.Json;

namespace NetbootPi.Agent.Web;

/// <summary>
/// The site file: the file the agent runs with its line numbers, its path, SHA-256 and when the running site was
/// loaded (<c>GET /api/v1/site</c>), and a pending network change with its deadline (<c>GET /api/v1/network</c>).
/// For admins (the role the site's changes need) an editor: a plain textarea with the caret's line and column, and
/// the script (<c>/assets/site.js</c>) validating it, showing what an apply would change
/// (<c>POST /api/v1/site/diff</c>), applying it with the SHA-256 the edit started from (an edit of a file that
/// changed since is refused), rolling back, and confirming a pending network change before its deadline.
/// </summary>
internal static class SitePage
{
    public static string Render(ApiAnswer site, ApiAnswer network, bool mayEdit)
    {
        var s = new StringBuilder(16384);
        s.Append("<h1>Site</h1>");
        if (site.Json is not { } j)
        {
            s.Append("<p class=\"notice bad\" role=\"alert\">").Append(Html.E(site.Error)).Append("</p>");
            return s.ToString();
        }
        var text = Html.Str(j, "text") ?? "";
        var previous = Html.Str(j, "previous");
        s.Append("<dl class=\"facts\">");
        Fact(s, "File", $"<code class=\"wrap\">{Html.E(Html.Str(j, "path"))}</code>");
        Fact(s, "SHA-256", $"<code class=\"wrap\" id=\"site-sha\">{Html.E(Html.Str(j, "sha256"))}</code>");
        Fact(s, "Running", $"site {Html.E(Html.Str(j, "running"))}, loaded {Html.Time(Html.Str(j, "loaded"))} <span class=\"hint\">(the file on disk may be newer: a reload or an apply makes it the running site)</span>");
        Fact(s, "Previous file", previous is null ? "<span class=\"hint\">none: no file was applied through the agent since it was made</span>" : $"<code class=\"wrap\">{Html.E(previous)}</code>");
        s.Append("</dl>");
        Pending(s, network, mayEdit);

        if (mayEdit) Editor(s, j, text, previous is not null);
        else s.Append("<p class=\"hint\">Editing, applying and rolling back the site need the admin role.</p>");

        s.Append("<section aria-labelledby=\"file-h\"><h2 id=\"file-h\">The file the agent runs</h2>");
        s.Append("<div class=\"scroll source-box\" tabindex=\"0\" role=\"region\" aria-label=\"The site file, by line\"><ol class=\"source\" id=\"source\">");
        var lines = text.EndsWith('\n') ? text[..^1].Split('\n') : text.Split('\n');
        foreach (var line in lines) s.Append("<li><code>").Append(Html.E(line)).Append("</code></li>");
        s.Append("</ol></div></section>");
        return s.ToString();
    }

    private static void Editor(StringBuilder s, JsonElement site, string text, bool hasPrevious)
    {
        s.Append("<section aria-labelledby=\"edit-h\"><h2 id=\"edit-h\">Edit</h2>");
        s.Append("<form id=\"site-form\" class=\"site-form\" data-sha256=\"").Append(Html.E(Html.Str(site, "sha256"))).Append("\">");
        s.Append("<label for=\"site-text\">Site file (YAML)</label>");
        // The line numbers beside the text (the script keeps them in step with its lines and its scrolling).
        var count = text.Split('\n').Length;
        s.Append("<div class=\"editor\"><pre class=\"gutter\" id=\"gutter\" aria-hidden=\"true\">")
            .Append(string.Join('\n', Enumerable.Range(1, count))).Append("</pre>");
        s.Append("<textarea id=\"site-text\" name=\"text\" rows=\"24\" spellcheck=\"false\" autocapitalize=\"none\" autocomplete=\"off\" wrap=\"off\" aria-describedby=\"caret\">")
            .Append(Html.E(text)).Append("</textarea></div>");
        s.Append("<p class=\"hint\"><output id=\"caret\" for=\"site-text\">line 1, column 1</output></p>");
        s.Append("<p class=\"buttons\"><button type=\"button\" id=\"site-validate\">Validate</button> <button type=\"button\" id=\"site-review\">Apply…</button>");
        // Hidden while there is no previous file; the script shows it once an apply made one.
        s.Append(" <button type=\"button\" id=\"site-rollback\"").Append(hasPrevious ? "" : " hidden").Append(">Roll back to the previous file</button>");
        s.Append("</p></form>");
        s.Append("<p id=\"site-result\" class=\"notice\" role=\"status\" hidden></p>");
        s.Append("<ul id=\"site-errors\" class=\"site-errors\" aria-label=\"Errors\" hidden></ul>");
        s.Append("<section id=\"review\" aria-labelledby=\"review-h\" hidden><h3 id=\"review-h\">What the apply changes</h3>");
        s.Append("<ul id=\"changes\" class=\"changes\"></ul>");
        s.Append("<p id=\"network-note\" class=\"notice warn\" hidden>This changes the box's own network: the agent applies it through the lock-out guard, and it must be confirmed before its deadline, or the last confirmed network is put back.</p>");
        s.Append("<details id=\"plan-box\" hidden><summary>The network plan</summary><pre id=\"plan\" class=\"diff\" tabindex=\"0\"></pre></details>");
        s.Append("<h4 id=\"diff-h\">The file's diff</h4><div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"diff-h\"><pre id=\"diff\" class=\"diff\"></pre></div>");
        s.Append("<p class=\"buttons\"><button type=\"button\" id=\"site-apply\">Apply this change</button> <button type=\"button\" id=\"site-cancel\">Cancel</button></p>");
        s.Append("</section></section>");
    }

    /// <summary>A network change waiting for its confirm: its deadline (the script counts down to it) and, for admins, the button.</summary>
    private static void Pending(StringBuilder s, ApiAnswer network, bool mayEdit)
    {
        var pending = network.Json is { } n ? Html.Str(n, "pending") : null;
        var deadline = network.Json is { } m ? Html.Str(m, "deadline") : null;
        s.Append("<section id=\"pending\" class=\"notice warn pending\" aria-labelledby=\"pending-h\"");
        if (deadline is not null) s.Append(" data-deadline=\"").Append(Html.E(deadline)).Append('"');
        if (pending is null) s.Append(" hidden");
        s.Append("><h2 id=\"pending-h\">Network change pending</h2><p><span id=\"pending-what\">").Append(Html.E(pending)).Append("</span>: confirm by ")
            .Append("<span id=\"pending-deadline\">").Append(Html.Time(deadline)).Append("</span>, or the agent puts the last confirmed network back. ")
            .Append("<strong id=\"countdown\" role=\"timer\" aria-live=\"off\"></strong></p>");
        if (mayEdit) s.Append("<p><button type=\"button\" id=\"network-confirm\">Confirm the network change</button></p>");
        s.Append("<p id=\"confirm-result\" role=\"status\" hidden></p></section>");
    }

    private static void Fact(StringBuilder s, string term, string html) => s.Append("<dt>").Append(term).Append("</dt><dd>").Append(html).Append("</dd>");
}
