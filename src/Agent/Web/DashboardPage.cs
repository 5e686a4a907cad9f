using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NetbootPi.Agent.Web;

/// <summary>
/// The dashboard, from what the API answers: warnings first (alerts among the recent events: a refused site file, a
/// host marked failed, another DHCP server; hosts whose recovery is not well), the agent's status, the networks and
/// their links, the counters of <c>/metrics</c>, and the recent events, which the script keeps live from the event
/// stream.
/// </summary>
internal static class DashboardPage
{
    public const int RecentEvents = 25;

    public static string Render(ApiAnswer status, ApiAnswer network, ApiAnswer hosts, ApiAnswer metrics, ApiAnswer events, DateTimeOffset now)
    {
        var s = new StringBuilder(16384);
        s.Append("<h1>Dashboard</h1>");
        Warnings(s, hosts, events);
        Status(s, status);
        Networks(s, network);
        Counters(s, metrics);
        Events(s, events);
        return s.ToString();
    }

    private static void Warnings(StringBuilder s, ApiAnswer hosts, ApiAnswer events)
    {
        var items = new List<string>();
        if (events.Json is { ValueKind: JsonValueKind.Array } list)
            foreach (var e in list.EnumerateArray().Where(e => Html.Str(e, "what") == "alert").Reverse().Take(5))
                items.Add($"{Html.Time(Html.Str(e, "time"))} {(Html.Str(e, "host") is { } h ? $"<a href=\"/host?name={Uri.EscapeDataString(h)}\">{Html.E(h)}</a>: " : "")}{Html.E(Html.Str(e, "path"))}");
        if (hosts.Json is { ValueKind: JsonValueKind.Array } all)
            foreach (var h in all.EnumerateArray())
            {
                var phase = Html.Str(h, "recovery");
                var level = phase is not null && phase.StartsWith("not recovered", StringComparison.Ordinal) ? "warn" : Html.RecoveryLevel(phase);
                if (level is "warn" or "bad")
                {
                    var name = Html.Str(h, "name") ?? "";
                    items.Add($"<a href=\"/host?name={Uri.EscapeDataString(name)}\">{Html.E(name)}</a>: recovery {Html.E(phase)}");
                }
            }
        s.Append("<section aria-labelledby=\"warnings-h\"><h2 id=\"warnings-h\">Warnings</h2>");
        if (items.Count == 0) s.Append("<p class=\"notice ok\">No warnings: no alerts among the recent events, no host in trouble.</p>");
        else
        {
            s.Append("<ul class=\"warnings\">");
            foreach (var i in items) s.Append("<li><span class=\"badge bad\">warning</span> ").Append(i).Append("</li>");
            s.Append("</ul>");
        }
        s.Append("</section>");
    }

    private static void Status(StringBuilder s, ApiAnswer status)
    {
        s.Append("<section aria-labelledby=\"agent-h\"><h2 id=\"agent-h\">Agent</h2>");
        if (status.Json is not { } j)
        {
            s.Append("<p class=\"notice bad\">").Append(Html.E(status.Error)).Append("</p></section>");
            return;
        }
        s.Append("<dl class=\"facts\">");
        Fact(s, "Version", Html.E(Html.Str(j, "version")));
        Fact(s, "Up for", Html.E(Html.Duration(TimeSpan.FromSeconds(Html.Num(j, "uptime_seconds")))) + " (since " + Html.Time(Html.Str(j, "started")) + ")");
        Fact(s, "Site", $"{Html.E(Html.Str(j, "site"))} <span class=\"hint\">{Html.E(Html.Str(j, "site_path"))}</span>");
        Fact(s, "Status", $"<span id=\"status-line\">{Html.E(Html.Str(j, "status"))}</span>");
        Fact(s, "Site size", $"{Html.Num(j, "networks")} networks, {Html.Num(j, "hosts")} hosts, {Html.Num(j, "profiles")} profiles");
        if (Html.Obj(j, "api") is { ValueKind: JsonValueKind.Object } api)
            Fact(s, "API", $"{Html.E(Html.Str(api, "url"))} <span class=\"hint\">certificate SHA-256 <code class=\"wrap\">{Html.E(Html.Str(api, "certificate_sha256"))}</code></span>");
        s.Append("</dl></section>");
    }

    private static void Fact(StringBuilder s, string term, string html) => s.Append("<dt>").Append(term).Append("</dt><dd>").Append(html).Append("</dd>");

    private static void Networks(StringBuilder s, ApiAnswer network)
    {
        s.Append("<section aria-labelledby=\"net-h\"><h2 id=\"net-h\">Networks</h2>");
        if (network.Json is not { } j)
        {
            s.Append("<p class=\"notice bad\">").Append(Html.E(network.Error)).Append("</p></section>");
            return;
        }
        s.Append("<p class=\"hint\">Backend ").Append(Html.E(Html.Str(j, "backend"))).Append(Html.Obj(j, "managed").ValueKind == JsonValueKind.True ? ", managed by the agent" : ", not managed by the agent");
        if (Html.Str(j, "pending") is { } pending) s.Append("; <strong>pending change</strong>: ").Append(Html.E(pending)).Append(", confirm by ").Append(Html.Time(Html.Str(j, "deadline")));
        s.Append("</p><div class=\"scroll\"><table><thead><tr><th scope=\"col\">Network</th><th scope=\"col\">Role</th><th scope=\"col\">Interface</th><th scope=\"col\">Wanted</th><th scope=\"col\">Addresses</th><th scope=\"col\">Link</th></tr></thead><tbody>");
        foreach (var l in Html.Obj(j, "links").EnumerateArray())
        {
            var state = Html.Str(l, "state");
            var addresses = Html.Obj(l, "addresses") is { ValueKind: JsonValueKind.Array } a ? string.Join(", ", a.EnumerateArray().Select(x => x.GetString())) : "";
            s.Append("<tr><th scope=\"row\">").Append(Html.E(Html.Str(l, "network"))).Append("</th><td>").Append(Html.E(Html.Str(l, "role")))
                .Append("</td><td>").Append(Html.E(Html.Str(l, "interface"))).Append("</td><td>").Append(Html.E(Html.Str(l, "wanted")))
                .Append("</td><td>").Append(Html.E(addresses.Length == 0 ? "none" : addresses)).Append("</td><td>");
            Html.Badge(s, Html.LinkLevel(state), state ?? "unknown");
            s.Append("</td></tr>");
        }
        s.Append("</tbody></table></div></section>");
    }

    private static void Counters(StringBuilder s, ApiAnswer metrics)
    {
        s.Append("<section aria-labelledby=\"counters-h\"><h2 id=\"counters-h\">Counters</h2>");
        if (metrics.Status != 200)
        {
            s.Append("<p class=\"notice bad\">").Append(Html.E(metrics.Error)).Append("</p></section>");
            return;
        }
        s.Append("<div class=\"scroll\"><table class=\"counters\"><thead><tr><th scope=\"col\">Counter</th><th scope=\"col\">Labels</th><th scope=\"col\" class=\"num\">Value</th></tr></thead><tbody>");
        foreach (var line in metrics.Text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var space = line.LastIndexOf(' ');
            if (space < 0) continue;
            var key = line[..space];
            var value = line[(space + 1)..];
            var brace = key.IndexOf('{');
            var (name, labels) = brace < 0 ? (key, "") : (key[..brace], key[(brace + 1)..].TrimEnd('}').Replace("\"", "", StringComparison.Ordinal).Replace(",", ", ", StringComparison.Ordinal));
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v % 1 != 0) value = v.ToString("0.##", CultureInfo.InvariantCulture);
            s.Append("<tr><th scope=\"row\">").Append(Html.E(name.Replace("netbootpi_", "", StringComparison.Ordinal))).Append("</th><td>").Append(Html.E(labels))
                .Append("</td><td class=\"num\">").Append(Html.E(value)).Append("</td></tr>");
        }
        s.Append("</tbody></table></div></section>");
    }

    private static void Events(StringBuilder s, ApiAnswer events)
    {
        s.Append("<section aria-labelledby=\"events-h\"><h2 id=\"events-h\">Recent events</h2>");
        s.Append("<p class=\"hint\" id=\"live\" role=\"status\">Newest first; new events appear here as they happen.</p>");
        s.Append("<div class=\"scroll\"><table id=\"events\"><thead><tr><th scope=\"col\">Time</th><th scope=\"col\">Host</th><th scope=\"col\">What</th><th scope=\"col\">Detail</th><th scope=\"col\">Status</th></tr></thead><tbody data-max=\"")
            .Append(RecentEvents).Append("\">");
        if (events.Json is { ValueKind: JsonValueKind.Array } list)
            foreach (var e in list.EnumerateArray().Reverse().Take(RecentEvents)) BootTimeline.DashboardRow(s, e);
        s.Append("</tbody></table></div></section>");
    }
}
