using System.Text;
using System.Text.Json;

namespace NetbootPi.Agent.Web;

/// <summary>
/// A host's boot flight recorder: its events in time order as steps (DHCP, the iPXE script over HTTP, kernel and
/// initrd, overlay, files; power and recovery between), each with the time since the step before, errors marked in
/// words and colour. A boot starts at a DHCP exchange that follows other steps, or after <see cref="NewBootGap"/>
/// without events. The script (<c>console.js</c>) appends live events by the same rules.
/// </summary>
internal static class BootTimeline
{
    public static readonly TimeSpan NewBootGap = TimeSpan.FromMinutes(10);

    /// <summary>What a step is, in words (the script has the same table).</summary>
    public static string Label(string? what) => what switch
    {
        "dhcp" => "DHCP lease",
        "script" => "iPXE script (HTTP)",
        "kernel" => "kernel",
        "initrd" => "initrd",
        "modloop" => "modloop",
        "overlay" => "overlay",
        "overlay-upload" => "overlay upload",
        "keys" => "SSH keys",
        "file" => "file",
        "power" => "power",
        "recovery" => "recovery",
        "console" => "serial console",
        "audit" => "change through the API",
        "image" => "image catalog",
        "alert" => "alert",
        "kvm" => "console host",
        _ => what ?? "?",
    };

    /// <summary>The status as words: ok, or what went wrong.</summary>
    public static string StatusText(string? what, long status) =>
        Html.IsError(what, status) ? (status >= 400 ? $"error {status}" : "failed") : status is >= 200 and < 400 ? $"ok {status}" : "ok";

    public static void Render(StringBuilder s, JsonElement events)
    {
        s.Append("<div class=\"scroll\"><table id=\"timeline\" class=\"timeline\"><caption class=\"hint\">Oldest first; new events are added as they happen.</caption>");
        s.Append("<thead><tr><th scope=\"col\">Time</th><th scope=\"col\">After</th><th scope=\"col\">Step</th><th scope=\"col\">Detail</th><th scope=\"col\">Status</th><th scope=\"col\" class=\"num\">Bytes</th></tr></thead><tbody>");
        DateTimeOffset? previous = null;
        string? previousWhat = null;
        var boots = 0;
        if (events.ValueKind == JsonValueKind.Array)
            foreach (var e in events.EnumerateArray())
            {
                var what = Html.Str(e, "what");
                var time = Html.Parse(Html.Str(e, "time"));
                if (what == "audit") continue;
                if (previous is null || (time - previous) > NewBootGap || (what == "dhcp" && previousWhat is not null && previousWhat != "dhcp"))
                {
                    boots++;
                    s.Append("<tr class=\"boot\"><th scope=\"rowgroup\" colspan=\"6\">Boot ").Append(boots).Append(", from ").Append(Html.Time(Html.Str(e, "time"))).Append("</th></tr>");
                    previous = null;
                }
                Row(s, e, previous is { } p && time is { } t ? Html.Duration(t - p) : "");
                previous = time;
                previousWhat = what;
            }
        s.Append("</tbody></table></div>");
        if (boots == 0) s.Append("<p class=\"hint\" id=\"timeline-empty\">No boot events of this host since the agent started (it keeps the last 1,024 of all hosts).</p>");
    }

    private static void Row(StringBuilder s, JsonElement e, string after)
    {
        var what = Html.Str(e, "what");
        var status = Html.Num(e, "status");
        var error = Html.IsError(what, status);
        s.Append("<tr data-time=\"").Append(Html.E(Html.Str(e, "time"))).Append("\" data-what=\"").Append(Html.E(what)).Append('"');
        if (error) s.Append(" class=\"error\"");
        s.Append("><td>").Append(Html.Time(Html.Str(e, "time"))).Append("</td><td>").Append(after.Length == 0 ? "" : "+" + Html.E(after))
            .Append("</td><td>").Append(Html.E(Label(what))).Append("</td><td class=\"wrap\">").Append(Html.E(Html.Str(e, "path"))).Append("</td><td>");
        Html.Badge(s, error ? "bad" : "ok", StatusText(what, status));
        s.Append("</td><td class=\"num\">").Append(Html.Num(e, "bytes")).Append("</td></tr>");
    }

    /// <summary>One row of the dashboard's recent events (newest first there).</summary>
    public static void DashboardRow(StringBuilder s, JsonElement e)
    {
        var what = Html.Str(e, "what");
        var status = Html.Num(e, "status");
        var error = Html.IsError(what, status);
        var host = Html.Str(e, "host");
        s.Append("<tr").Append(error ? " class=\"error\"" : "").Append("><td>").Append(Html.Time(Html.Str(e, "time"))).Append("</td><td>");
        if (host is not null) s.Append("<a href=\"/host?name=").Append(Html.E(Uri.EscapeDataString(host))).Append("\">").Append(Html.E(host)).Append("</a>");
        else s.Append(Html.E(Html.Str(e, "client")));
        s.Append("</td><td>").Append(Html.E(Label(what))).Append("</td><td class=\"wrap\">").Append(Html.E(Html.Str(e, "path"))).Append("</td><td>");
        Html.Badge(s, error ? "bad" : "ok", StatusText(what, status));
        s.Append("</td></tr>");
    }
}
