using System.Text;
using System.Text.Json;

namespace NetbootPi.Agent.Web;

/// <summary>
/// The hosts as a table from <c>GET /api/v1/hosts</c>: name (to its page), MAC, address, profile, lease, power, the
/// last boot event and when, recovery. A filter box narrows the rows as one types (the script). Power states are read
/// by the script after the page shows (a BMC may take seconds to answer); the power buttons are on the page only for
/// callers whose role may use them (operator and admin), and the API checks again.
/// </summary>
internal static class HostsPage
{
    public static string Render(ApiAnswer hosts, bool mayPower, DateTimeOffset now)
    {
        var s = new StringBuilder(16384);
        s.Append("<h1>Hosts</h1>");
        if (hosts.Json is not { ValueKind: JsonValueKind.Array } list)
        {
            s.Append("<p class=\"notice bad\" role=\"alert\">").Append(Html.E(hosts.Error)).Append("</p>");
            return s.ToString();
        }
        s.Append("<p class=\"filter\"><label for=\"filter\">Filter</label><input id=\"filter\" type=\"search\" placeholder=\"name, MAC, address, profile\" autocomplete=\"off\" spellcheck=\"false\" aria-controls=\"hosts\">")
            .Append(" <span id=\"shown\" role=\"status\">").Append(list.GetArrayLength()).Append(" hosts</span></p>");
        s.Append("<p id=\"power-result\" class=\"notice\" role=\"status\" hidden></p>");
        s.Append("<div class=\"scroll\"><table id=\"hosts\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">MAC</th><th scope=\"col\">Address</th><th scope=\"col\">Profile</th><th scope=\"col\">Lease</th><th scope=\"col\">Power</th><th scope=\"col\">Last boot event</th><th scope=\"col\">Recovery</th></tr></thead><tbody>");
        foreach (var h in list.EnumerateArray())
        {
            var name = Html.Str(h, "name") ?? "";
            var search = string.Join(' ', name, Html.Str(h, "mac"), Html.Str(h, "ip"), Html.Str(h, "profile"), Html.Str(h, "network")).ToLowerInvariant();
            s.Append("<tr data-search=\"").Append(Html.E(search)).Append("\"><th scope=\"row\"><a href=\"/host?name=").Append(Html.E(Uri.EscapeDataString(name))).Append("\">")
                .Append(Html.E(name)).Append("</a></th><td><code>").Append(Html.E(Html.Str(h, "mac"))).Append("</code></td><td>").Append(Html.E(Html.Str(h, "ip") ?? "none"))
                .Append("</td><td>").Append(Html.E(Html.Str(h, "profile"))).Append("</td><td>");
            Lease(s, Html.Obj(h, "lease"));
            s.Append("</td><td>");
            Power(s, name, Html.Str(h, "power"), mayPower);
            s.Append("</td><td>");
            LastEvent(s, Html.Obj(h, "last_boot"), now);
            s.Append("</td><td>");
            var phase = Html.Str(h, "recovery");
            if (phase is null) s.Append("<span class=\"hint\">not watched</span>");
            else Html.Badge(s, phase.StartsWith("not recovered", StringComparison.Ordinal) ? "warn" : Html.RecoveryLevel(phase), phase);
            s.Append("</td></tr>");
        }
        s.Append("</tbody></table></div>");
        if (list.GetArrayLength() == 0) s.Append("<p class=\"hint\">The site has no hosts.</p>");
        return s.ToString();
    }

    public static void Lease(StringBuilder s, JsonElement lease)
    {
        if (lease.ValueKind != JsonValueKind.Object)
        {
            s.Append("<span class=\"hint\">none</span>");
            return;
        }
        var state = Html.Str(lease, "state");
        Html.Badge(s, state == "bound" ? "ok" : "idle", state ?? "?");
        s.Append(" <span class=\"hint\">until ").Append(Html.Time(Html.Str(lease, "expires"))).Append("</span>");
    }

    /// <summary>The power cell: the driver, the state (filled in by the script), and the buttons when the caller may use them.</summary>
    public static void Power(StringBuilder s, string host, string? driver, bool mayPower)
    {
        if (driver is null)
        {
            s.Append("<span class=\"hint\">no power wiring</span>");
            return;
        }
        s.Append("<span class=\"power-state\" data-host=\"").Append(Html.E(host)).Append("\">").Append(Html.E(driver)).Append(": <span class=\"badge idle\">reading…</span></span>");
        if (!mayPower) return;
        s.Append("<span class=\"power-buttons\">");
        foreach (var (action, label) in new[] { ("on", "On"), ("off", "Off"), ("cycle", "Cycle"), ("reset", "Reset") })
            s.Append("<button type=\"button\" class=\"power\" data-host=\"").Append(Html.E(host)).Append("\" data-action=\"").Append(action)
                .Append("\" aria-label=\"").Append(label).Append(' ').Append(Html.E(host)).Append("\">").Append(label).Append("</button>");
        s.Append("</span>");
    }

    public static void LastEvent(StringBuilder s, JsonElement e, DateTimeOffset now)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            s.Append("<span class=\"hint\">none yet</span>");
            return;
        }
        var what = Html.Str(e, "what");
        var status = Html.Num(e, "status");
        var error = Html.IsError(what, status);
        s.Append(Html.E(BootTimeline.Label(what))).Append(' ');
        Html.Badge(s, error ? "bad" : "ok", BootTimeline.StatusText(what, status));
        if (Html.Parse(Html.Str(e, "time")) is { } t) s.Append(" <span class=\"hint\">").Append(Html.E(Html.Duration(now - t))).Append(" ago</span>");
    }
}
