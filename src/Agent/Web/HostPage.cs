using System.Text;
using System.Text.Json;

namespace NetbootPi.Agent.Web;

/// <summary>
/// One host: what the box knows of it (<c>GET /api/v1/hosts?name=</c>), its power with buttons for operators, its
/// boot flight recorder (<see cref="BootTimeline"/>, from <c>GET /api/v1/events?host=</c>, kept live by the script
/// from the event stream), and what the site derives for it (<c>GET /api/v1/hosts/derived</c>).
/// </summary>
internal static class HostPage
{
    public static string Render(JsonElement host, ApiAnswer events, ApiAnswer derived, bool mayPower, DateTimeOffset now)
    {
        var name = Html.Str(host, "name") ?? "";
        var s = new StringBuilder(16384);
        s.Append("<h1 id=\"host\" data-host=\"").Append(Html.E(name)).Append("\">").Append(Html.E(name)).Append("</h1>");
        s.Append("<p class=\"hint\"><a href=\"/hosts\">All hosts</a> · defined at <code class=\"wrap\">").Append(Html.E(Html.Str(host, "defined_at"))).Append("</code></p>");
        s.Append("<p id=\"power-result\" class=\"notice\" role=\"status\" hidden></p>");
        s.Append("<dl class=\"facts\">");
        Fact(s, "MAC", $"<code>{Html.E(Html.Str(host, "mac"))}</code>");
        Fact(s, "Address", Html.E(Html.Str(host, "ip") ?? "none"));
        Fact(s, "Name in DNS", Html.E(Html.Str(host, "fqdn") ?? "none"));
        Fact(s, "Network", Html.E(Html.Str(host, "network") ?? "none"));
        Fact(s, "Profile", Html.E(Html.Str(host, "profile")));
        var lease = new StringBuilder();
        HostsPage.Lease(lease, Html.Obj(host, "lease"));
        Fact(s, "Lease", lease.ToString());
        var power = new StringBuilder();
        HostsPage.Power(power, name, Html.Str(host, "power"), mayPower);
        Fact(s, "Power", power.ToString());
        var phase = Html.Str(host, "recovery");
        var recovery = new StringBuilder();
        if (phase is null) recovery.Append("<span class=\"hint\">not watched</span>");
        else Html.Badge(recovery, phase.StartsWith("not recovered", StringComparison.Ordinal) ? "warn" : Html.RecoveryLevel(phase), phase);
        Fact(s, "Recovery", recovery.ToString());
        if (Html.Str(host, "console") is { } console) Fact(s, "Serial console", Html.E(console));
        s.Append("</dl>");

        s.Append("<section aria-labelledby=\"flight-h\"><h2 id=\"flight-h\">Boot flight recorder</h2>");
        s.Append("<p class=\"hint\" id=\"live\" role=\"status\">DHCP, then the iPXE script, kernel and initrd over HTTP, then the overlay or NFS root; the time after the step before is in the second column.</p>");
        if (events.Json is { } list) BootTimeline.Render(s, list);
        else s.Append("<p class=\"notice bad\">").Append(Html.E(events.Error)).Append("</p>");
        s.Append("</section>");

        s.Append("<section aria-labelledby=\"derived-h\"><h2 id=\"derived-h\">What the site derives for it</h2>");
        if (derived.Json is { } d)
        {
            s.Append("<div class=\"scroll\"><table id=\"derived\"><thead><tr><th scope=\"col\">Setting</th><th scope=\"col\">Value</th><th scope=\"col\">On network</th></tr></thead><tbody>");
            foreach (var row in Html.Obj(d, "rows").EnumerateArray())
                s.Append("<tr><th scope=\"row\">").Append(Html.E(Html.Str(row, "key"))).Append("</th><td class=\"wrap\">").Append(Html.E(Html.Str(row, "value")))
                    .Append("</td><td>").Append(Html.E(Html.Str(row, "network") ?? "")).Append("</td></tr>");
            s.Append("</tbody></table></div>");
        }
        else s.Append("<p class=\"notice bad\">").Append(Html.E(derived.Error)).Append("</p>");
        s.Append("</section>");
        return s.ToString();
    }

    private static void Fact(StringBuilder s, string term, string html) => s.Append("<dt>").Append(term).Append("</dt><dd>").Append(html).Append("</dd>");
}
