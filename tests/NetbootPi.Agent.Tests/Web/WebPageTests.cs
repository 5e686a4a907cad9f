using System.Text;
using System.Text.Json;
using NetbootPi.Agent.Site;
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

    private static ApiAnswer Json(string json) => new(200, JsonDocument.Parse(json).RootElement.Clone(), json, null);

    private static string ConsoleHost(bool mayChange, ApiAnswer? capture = null) => ConsoleHostPage.Render(
        new KvmSettings("pi<1>", null, "us", new SourceLocation("site.yaml", 3, 5)),
        Json("""{"host":"pi<1>","udc":"fe980000.usb","usb_state":"configured","keyboard_layout":"us","leds":["caps_lock"],"held":[],"media":{"image":"\"><img src=x>.iso","file":"/srv/images/x.iso","mode":"cdrom","read_only":true,"bytes":3145728,"forced_eject":false,"message":null}}"""),
        capture,
        Json("""[{"name":"<b>bold</b>.img","size":1048576,"sha256":null,"added":"2026-12-07T10:00:00Z","added_by":"user:<olive>","source":"http://x/<y>"}]"""),
        Json("""[{"id":"j1","name":"run<ning>.iso","kind":"fetch","source":"http://x","by":"user:o","state":"running","bytes":50,"total":200,"message":null,"queued":"2026-12-07T10:00:00Z","ended":null,"version":3,"status":null,"image":null}]"""),
        [("us", null), ("de", "German (QWERTZ)")], mayChange);

    [Fact]
    public void The_console_host_page_says_what_it_knows_as_text_and_offers_controls_to_operators_only()
    {
        var viewer = ConsoleHost(mayChange: false);
        var operatorPage = ConsoleHost(mayChange: true);
        foreach (var html in new[] { viewer, operatorPage })
        {
            // Without kvm.capture: said in words, and no stream to show.
            Assert.Contains("pi&lt;1&gt;'s screen is not captured", html);
            Assert.DoesNotContain("<img", html);
            Assert.DoesNotContain("<b>", html);
            Assert.Contains("In the drive: &quot;&gt;&lt;img src=x&gt;.iso, as a CD-ROM, read-only (3,145,728 bytes (3.0 MiB)).", html);
            Assert.Contains("<span id=\"kvm-leds\">caps_lock</span>", html);
            Assert.Contains("&lt;b&gt;bold&lt;/b&gt;.img", html);
        }
        foreach (var control in new[] { "<button", "<input", "<textarea", "<select", "id=\"keys\"", "id=\"jobs\"" })
        {
            Assert.DoesNotContain(control, viewer);
            Assert.Contains(control, operatorPage);
        }
        // The layouts, the site's chosen.
        Assert.Contains("<select id=\"layout\" data-site=\"us\"><option value=\"us\" selected>us (the site's)</option><option value=\"de\">de: German (QWERTZ)</option></select>", operatorPage);
        // An add under way is listed with its progress, for the script to follow.
        Assert.Contains("data-job=\"j1\" data-name=\"run&lt;ning&gt;.iso\" data-version=\"3\"", operatorPage);
        Assert.Contains("max=\"100\" value=\"25\"", operatorPage);
    }

    [Fact]
    public void A_capture_that_runs_shows_its_stream_and_one_that_failed_says_why()
    {
        var kvm = new KvmSettings("pi1", null, "us", new SourceLocation("site.yaml", 3, 5))
        {
            Capture = new CaptureSettings("/dev/video0", 0, 1920, 1080, null, "mjpeg", null, null, false, 50, TimeSpan.FromSeconds(15), new SourceLocation("site.yaml", 4, 7)),
        };
        ApiAnswer Capture(bool running, string? failure) => Json($$"""
            {"host":"pi1","device":"/dev/video0","input":0,"resolution":"1920x1080","fps":null,"format":"mjpeg","edid":null,"dv_timings":false,
             "unit":"netbootpi-ustreamer.service","unit_state":"{{(running ? "active/running" : "inactive/dead")}}","running":{{(running ? "true" : "false")}},"current":true,
             "source_timings":null,"signal":null,"failure":{{(failure is null ? "null" : $"\"{failure}\"")}},
             "ustreamer":{{(running ? """{"resolution":"1920x1080","online":true,"desired_fps":0,"captured_fps":30,"clients":1}""" : "null")}}}
            """);
        var empty = Json("[]");
        var status = new ApiAnswer(409, null, "", "no gadget here");
        var running = ConsoleHostPage.Render(kvm, status, Capture(true, null), empty, empty, [("us", null)], mayChange: false);
        Assert.Contains("Capturing /dev/video0, 1920x1080: ustreamer sends 1920x1080 at 30 fps.", running);
        Assert.Contains("<img id=\"screen\" src=\"/api/v1/capture/stream\" alt=\"The screen of pi1, live\">", running);
        Assert.Contains("The keyboard and the drive are not available: no gadget here", running);
        var failed = ConsoleHostPage.Render(kvm, status, Capture(false, "there is no capture device /dev/video0"), empty, empty, [("us", null)], mayChange: true);
        Assert.Contains("Not capturing: there is no capture device /dev/video0", failed);
        Assert.DoesNotContain("<img", failed);
        Assert.Contains("id=\"capture-start\"", failed);
        Assert.Contains("The catalog is empty.", failed);
    }
}
