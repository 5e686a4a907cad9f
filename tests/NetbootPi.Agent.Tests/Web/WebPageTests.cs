using System.Text;
using System.Text.Json;
using NetbootPi.Agent.Web;

namespace NetbootPi.Agent.Tests.Web;

/// <summary>
/// The web console's pure parts: where a login may lead, how a host's events become boots and steps, what counts as
/// an error, and that what a host or a site says reaches a page as text, never as markup. The pages in a browser:
/// tests/NetbootPi.Browser.Tests.
/// </summary>
public class WebPageTests
{
    [Theory]
    [InlineData("/hosts", "/hosts")]
    [InlineData("/host?name=pi1", "/host?name=pi1")]
    [InlineData("", "/")]
    [InlineData("//evil.example/x", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("javascript:alert(1)", "/")]
    [InlineData("/login?next=/x", "/")]
    public void A_login_leads_only_to_a_page_of_this_box(string next, string expected) => Assert.Equal(expected, LoginPage.SafeNext(next));

    private static JsonElement Events(params (string Time, string What, int Status)[] events) =>
        JsonDocument.Parse("[" + string.Join(",", events.Select(e =>
            $"{{\"time\":\"{e.Time}\",\"client\":\"10.0.0.5\",\"host\":\"pi1\",\"what\":\"{e.What}\",\"path\":\"/p\",\"status\":{e.Status},\"bytes\":7}}")) + "]").RootElement;

    [Fact]
    public void A_dhcp_exchange_after_other_steps_or_ten_quiet_minutes_start_a_new_boot_and_each_step_says_the_time_since_the_one_before()
    {
        var s = new StringBuilder();
        BootTimeline.Render(s, Events(
            ("2026-12-07T10:00:00.000Z", "dhcp", 0),
            ("2026-12-07T10:00:01.200Z", "script", 200),
            ("2026-12-07T10:00:01.300Z", "kernel", 200),
            ("2026-12-07T10:00:04.000Z", "audit", 200),
            ("2026-12-07T10:00:09.000Z", "overlay", 404),
            ("2026-12-07T10:01:00.000Z", "dhcp", 0),
            ("2026-12-07T10:30:00.000Z", "script", 200)));
        var html = s.ToString();
        Assert.Equal(3, html.Split("<tr class=\"boot\">").Length - 1);
        Assert.Contains("Boot 2, from <time datetime=\"2026-12-07T10:01:00.000Z\">", html);
        Assert.Contains("Boot 3, from <time datetime=\"2026-12-07T10:30:00.000Z\">", html);
        Assert.Contains("<td>+1.2 s</td><td>iPXE script (HTTP)</td>", html);
        Assert.Contains("<td>+100 ms</td><td>kernel</td>", html);
        // The audit of a change is not a boot step; the overlay's time is since the kernel.
        Assert.DoesNotContain("change through the API", html);
        Assert.Contains("<td>+7.7 s</td><td>overlay</td>", html);
        Assert.Contains("class=\"error\"><td><time datetime=\"2026-12-07T10:00:09.000Z\"", html);
        Assert.Contains("<span class=\"badge bad\">error 404</span>", html);
        Assert.DoesNotContain("timeline-empty", html);
    }

    [Fact]
    public void A_host_without_events_says_so()
    {
        var s = new StringBuilder();
        BootTimeline.Render(s, Events());
        Assert.Contains("id=\"timeline-empty\"", s.ToString());
    }

    [Theory]
    [InlineData("script", 200, false)]
    [InlineData("kernel", 206, false)]
    [InlineData("file", 404, true)]
    [InlineData("dhcp", 0, false)]
    [InlineData("power", 0, false)]
    [InlineData("power", 1, true)]
    [InlineData("recovery", 1, true)]
    [InlineData("audit", 403, true)]
    public void An_event_is_an_error_by_its_kinds_rule(string what, int status, bool error) => Assert.Equal(error, Html.IsError(what, status));

    [Fact]
    public void What_a_host_or_the_site_says_reaches_the_page_as_text()
    {
        var s = new StringBuilder();
        var hostile = JsonDocument.Parse("""
            [{"time":"2026-12-07T10:00:00.000Z","client":"<script>x</script>","host":null,"what":"file","path":"/\"><img src=x onerror=alert(1)>","status":200,"bytes":1}]
            """).RootElement;
        BootTimeline.DashboardRow(s, hostile[0]);
        var html = s.ToString();
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<img", html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
        Assert.Contains("&lt;script&gt;x&lt;/script&gt;", html);
    }

    [Fact]
    public void The_site_file_reaches_its_page_as_text_and_only_an_admin_gets_the_editor()
    {
        var site = ApiAnswer.From("/api/v1/site", 200, Encoding.UTF8.GetBytes("""
            {"path":"/etc/netbootpi/site.yaml","sha256":"ab","text":"site:\n  name: \"</textarea><script>x</script>\"\n","running":"t","loaded":"2026-12-07T10:00:00Z","previous":null}
            """), json: true);
        var network = ApiAnswer.From("/api/v1/network", 200, Encoding.UTF8.GetBytes("""
            {"backend":"networkd","managed":true,"pending":"reload","deadline":"2026-12-07T10:02:00Z","links":[]}
            """), json: true);
        var admin = SitePage.Render(site, network, mayEdit: true);
        Assert.DoesNotContain("<script>", admin);
        Assert.DoesNotContain("</textarea><script>", admin);
        Assert.Contains("<li><code>  name: &quot;&lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;&quot;</code></li>", admin);
        Assert.Contains("data-sha256=\"ab\"", admin);
        Assert.Contains("id=\"site-validate\"", admin);
        Assert.Contains("id=\"site-rollback\" hidden>", admin);
        // A pending network change: its deadline for the countdown, the confirm button for an admin.
        Assert.Contains("data-deadline=\"2026-12-07T10:02:00Z\">", admin);
        Assert.Contains("id=\"network-confirm\"", admin);

        var viewer = SitePage.Render(site, network, mayEdit: false);
        foreach (var control in new[] { "site-text", "site-validate", "site-review", "site-apply", "network-confirm" }) Assert.DoesNotContain($"id=\"{control}\"", viewer);
        Assert.Contains("Editing, applying and rolling back the site need the admin role.", viewer);
        Assert.Contains("data-deadline=", viewer);
    }
}
