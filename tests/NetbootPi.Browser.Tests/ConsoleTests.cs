using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Browser.Tests;

/// <summary>
/// The web console in a real browser (Debian's chromium through Playwright) against the agent as its own process:
/// logins with TOTP, the pages and their live parts, what a viewer is not offered and the API refuses, a session
/// that ends. Each page gets an accessibility check and a screenshot (<see cref="ConsoleBox.Artifacts"/>).
/// </summary>
public sealed class ConsoleTests(ConsoleBox console) : IClassFixture<ConsoleBox>
{
    private static readonly Regex Login = new(@"/login\?");

    [Fact]
    public async Task An_admin_logs_in_with_totp_and_sees_a_boot_event_on_the_host_page_without_reload()
    {
        console.Require();
        await using var context = await console.ContextAsync();
        var page = await context.NewPageAsync();
        var errors = Pages.WatchConsole(page);

        // Without a session every page leads to the login page, and back after it.
        await page.GotoAsync("/host?name=pi1");
        Assert.EndsWith("/login?next=%2Fhost%3Fname%3Dpi1", page.Url);
        await Pages.AccessibleAsync(page, "login");
        await Pages.KeyboardReachesAsync(page, "a.skip", "#name", "#password", "#totp", "#login button");
        await Pages.ShotAsync(page, "login");

        // The right password without the code is refused like any failed login; with the code it is a session.
        await page.GetByLabel("Name").FillAsync("alice");
        await page.GetByLabel("Password").FillAsync(ConsoleBox.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#login-error")).ToHaveTextAsync("wrong name, password or TOTP code");
        await Pages.LoginAsync(page, "alice", ConsoleBox.Password, console.NextAdminCode(), "/host?name=pi1");
        var cookie = (await context.CookiesAsync()).Single(c => c.Name == "nbp_session");
        Assert.True(cookie.HttpOnly && cookie.Secure && cookie.SameSite == SameSiteAttribute.Strict);

        // The host page: facts, the derived settings, power with its buttons for an admin, an empty flight recorder.
        await Pages.OpenAsync(page, "/host?name=pi1");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "pi1", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".power-state")).ToContainTextAsync("qmp: off");
        Assert.Equal(4, await page.Locator("button.power").CountAsync());
        await Assertions.Expect(page.Locator("#live[data-live]")).ToHaveCountAsync(1);

        // The machine fetches its iPXE script and asks for an overlay it does not have, as it would while booting:
        // both appear on the open page, the missing overlay marked as an error, with the time between them.
        var mac = ConsoleBox.HostMac.Replace(':', '-');
        Assert.Equal(200, Curl.Run($"{console.BootHttp}/boot/{mac}.ipxe").Status);
        await Assertions.Expect(page.Locator("#timeline tbody tr[data-what=script]")).ToContainTextAsync("ok 200");
        Assert.Equal(404, Curl.Run($"{console.BootHttp}/apkovl/{ConsoleBox.HostMac}.tar.gz").Status);
        var overlay = page.Locator("#timeline tbody tr[data-what=overlay]");
        await Assertions.Expect(overlay).ToContainTextAsync("error 404");
        await Assertions.Expect(overlay).ToHaveClassAsync(new Regex(@"\berror\b"));
        await Assertions.Expect(overlay.Locator("td").Nth(1)).ToHaveTextAsync(new Regex(@"^\+\d+ ms$|^\+\d+\.\d s$"));
        await Pages.AccessibleAsync(page, "host");
        await Pages.KeyboardReachesAsync(page, "a[href='/hosts']", "button.power[data-action=on]");
        await Pages.ShotAsync(page, "host");

        // Reloaded, the server renders the same timeline.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#timeline tbody tr[data-what=script]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#timeline tbody tr[data-what=overlay]")).ToHaveClassAsync(new Regex(@"\berror\b"));

        // Dashboard: status, networks with their links, counters, recent events (the two above among them).
        await Pages.OpenAsync(page, "/");
        await Assertions.Expect(page.Locator("#status-line")).Not.ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("section[aria-labelledby=net-h] tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator(".counters")).ToContainTextAsync("site_hosts");
        await Assertions.Expect(page.Locator("#events tbody")).ToContainTextAsync("iPXE script (HTTP)");
        await Assertions.Expect(page.Locator("#live[data-live]")).ToHaveCountAsync(1);
        Assert.Equal(200, Curl.Run($"{console.BootHttp}/boot/02-00-00-00-00-02.ipxe").Status);
        await Assertions.Expect(page.Locator("#events tbody tr").First).ToContainTextAsync("pi2");
        await Pages.AccessibleAsync(page, "dashboard");
        await Pages.KeyboardReachesAsync(page, "a.skip", "nav a[href='/hosts']", "#logout", "#events a");
        await Pages.ShotAsync(page, "dashboard");

        // Hosts: both, the filter narrows them.
        await Pages.OpenAsync(page, "/hosts");
        await Assertions.Expect(page.Locator("#hosts tbody tr")).ToHaveCountAsync(2);
        await page.GetByLabel("Filter").FillAsync("00:02");
        await Assertions.Expect(page.Locator("#hosts tbody tr:not([hidden])")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#shown")).ToHaveTextAsync("1 of 2 hosts");
        await page.GetByLabel("Filter").FillAsync("");
        await Pages.AccessibleAsync(page, "hosts");
        await Pages.KeyboardReachesAsync(page, "#logout", "#filter", "a[href='/host?name=pi1']", "button.power[data-action=cycle]");
        await Pages.ShotAsync(page, "hosts");

        // What the site derives for it, as netbootpi show host prints it.
        await Pages.OpenAsync(page, "/host?name=pi1");
        await Assertions.Expect(page.Locator("#derived")).ToContainTextAsync(ConsoleBox.HostMac);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_viewer_gets_no_power_buttons_and_forged_changes_are_refused()
    {
        console.Require();
        await using var context = await console.ContextAsync();
        var page = await context.NewPageAsync();
        var errors = Pages.WatchConsole(page);
        await page.GotoAsync("/login");
        await Pages.LoginAsync(page, "victor", ConsoleBox.Password);

        await Pages.OpenAsync(page, "/hosts");
        await Assertions.Expect(page.Locator(".power-state")).ToContainTextAsync("qmp: off");
        Assert.Equal(0, await page.Locator("button.power").CountAsync());
        await Pages.OpenAsync(page, "/host?name=pi1");
        Assert.Equal(0, await page.Locator("button.power").CountAsync());

        // A page (or anything else) sending the session's cookie without its CSRF token is refused; with the token,
        // a viewer's power action is refused for its role.
        var forged = await page.EvaluateAsync<int[]>("""
            async () => {
              const plain = await fetch('/api/v1/power?host=pi1&action=on', { method: 'POST' });
              const csrf = document.querySelector('meta[name="csrf-token"]').content;
              const withToken = await fetch('/api/v1/power?host=pi1&action=on', { method: 'POST', headers: { 'X-CSRF-Token': csrf } });
              return [plain.status, withToken.status];
            }
            """);
        Assert.Equal([403, 403], forged);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_operator_powers_a_host_from_the_page_and_a_forged_post_without_the_token_is_refused()
    {
        console.Require();
        await using var context = await console.ContextAsync();
        var page = await context.NewPageAsync();
        var errors = Pages.WatchConsole(page);
        await page.GotoAsync("/login?next=/hosts");
        await Pages.LoginAsync(page, "olive", ConsoleBox.Password, expectPath: "/hosts");

        // The button goes through the API with the session's token: the QMP socket is not there, so the host says
        // why it stays off (422), and the page shows it.
        await page.GetByRole(AriaRole.Button, new() { Name = "On pi1" }).ClickAsync();
        await Assertions.Expect(page.Locator("#power-result")).ToContainTextAsync("pi1, on: ");
        await Assertions.Expect(page.Locator("#power-result")).ToHaveClassAsync(new Regex(@"\bbad\b"));

        // The same request without X-CSRF-Token is refused before it reaches the host, with why.
        var forged = await page.EvaluateAsync<string>("""
            async () => { const r = await fetch('/api/v1/power?host=pi1&action=on', { method: 'POST' }); return r.status + ' ' + (await r.json()).error; }
            """);
        Assert.Equal("403 POST /api/v1/power changes something: a session must send its csrf_token (from the login's answer) in X-CSRF-Token", forged);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_site_without_a_console_host_says_so_on_the_console_page()
    {
        console.Require();
        await using var context = await console.ContextAsync();
        var page = await context.NewPageAsync();
        var errors = Pages.WatchConsole(page);
        await page.GotoAsync("/login?next=/console");
        await Pages.LoginAsync(page, "olive", ConsoleBox.Password, expectPath: "/console");

        // Not an error: a sentence on how to have one, and nothing to press.
        await Assertions.Expect(page.Locator("#no-console-host")).ToContainTextAsync("This box has no console host configured: the site file has no kvm: section.");
        await Assertions.Expect(page.Locator("#no-console-host")).ToContainTextAsync("docs/console.md");
        Assert.Equal(0, await page.Locator("main button").CountAsync());
        await Pages.AccessibleAsync(page, "console host (none)");
        // The console host's script is that page's alone; the others do without it.
        foreach (var path in new[] { "/console", "/", "/hosts" })
        {
            await Pages.OpenAsync(page, path);
            Assert.Equal(0, await page.Locator("script[src^='/assets/console-host.js']").CountAsync());
        }
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_session_that_ends_is_said_politely_and_logout_ends_it()
    {
        console.Require();
        await using var context = await console.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await Pages.LoginAsync(page, "olive", ConsoleBox.Password);

        // A new password ends every session of the user: the next page says so on the login page, and leads back.
        var (code, _, e) = await console.Box.CliWithInput(ConsoleBox.Password + "\n", "user", "passwd", "olive", "--password-stdin");
        Assert.True(code == 0, e);
        await page.GotoAsync("/hosts");
        Assert.EndsWith("/login?ended=1&next=%2Fhosts", page.Url);
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your session ended");
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "nbp_session");
        await Pages.ShotAsync(page, "session-ended");

        await Pages.LoginAsync(page, "olive", ConsoleBox.Password, expectPath: "/hosts");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await page.WaitForURLAsync(Login);
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("You are logged out.");
        await page.GotoAsync("/");
        Assert.Contains("/login?", page.Url);
    }

    [Fact]
    public async Task A_refused_site_file_is_a_warning_on_the_dashboard_as_it_happens()
    {
        console.Require();
        await using var context = await console.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await Pages.LoginAsync(page, "victor", ConsoleBox.Password);
        await Assertions.Expect(page.Locator("#live[data-live]")).ToHaveCountAsync(1);
        var site = File.ReadAllText(console.Box.SitePath);
        try
        {
            File.WriteAllText(console.Box.SitePath, site + "  nonsense: [\n");
            var (code, _, _) = await console.Box.Cli("reload");
            Assert.Equal(1, code);
            // Live: the alert joins the open dashboard's events; then, rendered, it is a warning.
            var alert = page.Locator("#events tbody tr", new() { HasText = "site-rejected: " });
            await Assertions.Expect(alert).ToHaveCountAsync(1);
            await Assertions.Expect(alert).ToHaveClassAsync(new Regex(@"\berror\b"));
            await page.ReloadAsync();
            await Assertions.Expect(page.Locator(".warnings li")).ToContainTextAsync("site-rejected: ");
        }
        finally
        {
            File.WriteAllText(console.Box.SitePath, site);
            Assert.Equal(0, (await console.Box.Cli("reload")).Code);
        }
    }

    [Fact]
    public async Task Pages_fit_a_phone_and_the_first_page_weighs_under_100_KB()
    {
        console.Require();
        // A phone in a server room: 360 px wide.
        await using var context = await console.ContextAsync(360, 740);
        var page = await context.NewPageAsync();
        var sizes = new List<(string Url, long Bytes)>();
        page.RequestFinished += async (_, request) =>
        {
            if (request.Url.Contains("/events/stream", StringComparison.Ordinal)) return;
            var s = await request.SizesAsync();
            lock (sizes) sizes.Add((request.Url, s.ResponseHeadersSize + s.ResponseBodySize));
        };
        await page.GotoAsync("/login");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        long loginBytes;
        lock (sizes) loginBytes = sizes.Sum(x => x.Bytes);
        // When the login page first showed something (on this machine, against a local agent: a figure to compare
        // runs by, not the Pi's).
        var paint = await page.EvaluateAsync<double>("() => (performance.getEntriesByName('first-contentful-paint')[0] || { startTime: -1 }).startTime");
        Assert.False(await Pages.OverflowsAsync(page), "the login page is wider than 360 px");
        await Pages.ShotAsync(page, "login-360");

        // The operator (no TOTP): a TOTP code counts once, and the admin's test uses this half-minute's next one.
        await Pages.LoginAsync(page, "olive", ConsoleBox.Password);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        long dashboardBytes;
        lock (sizes) dashboardBytes = sizes.Sum(x => x.Bytes) - loginBytes;
        // The assets are linked by their content's hash and cached as immutable; another version is not promised.
        var css = await page.Locator("link[rel=stylesheet]").GetAttributeAsync("href");
        Assert.Matches(@"^/assets/console\.css\?v=[0-9a-f]{16}$", css);
        var asset = console.Box.Curl("GET", css!);
        Assert.Equal((200, "public, max-age=31536000, immutable"), (asset.Status, asset.Header("Cache-Control")));
        Assert.Equal(Pages.Policy, asset.Header("Content-Security-Policy"));
        Assert.Equal(304, console.Box.Curl("GET", css!, "-H", $"If-None-Match: {asset.Header("ETag")}").Status);
        Assert.Equal("no-cache", console.Box.Curl("GET", "/assets/console.css?v=0123456789abcdef").Header("Cache-Control"));
        Assert.False(await Pages.OverflowsAsync(page), "the dashboard is wider than 360 px");
        await Pages.ShotAsync(page, "dashboard-360");
        foreach (var path in new[] { "/hosts", "/host?name=pi1" })
        {
            await page.GotoAsync(path);
            Assert.False(await Pages.OverflowsAsync(page), $"{path} is wider than 360 px");
            await Pages.ShotAsync(page, (path == "/hosts" ? "hosts" : "host") + "-360");
        }
        // The login page cold (HTML, stylesheet, script, icon) and then the dashboard: each well under 100 KB.
        TestContext.Current.SendDiagnosticMessage($"transferred: login page (cold cache) {loginBytes} bytes, then the dashboard {dashboardBytes} bytes; login first paint {paint:0} ms");
        File.WriteAllText(Path.Combine(ConsoleBox.Artifacts, "weight.txt"),
            $"login page, cold cache: {loginBytes} bytes\ndashboard after it: {dashboardBytes} bytes\nlogin page first contentful paint: {paint:0} ms\n");
        Assert.InRange(loginBytes + dashboardBytes, 1, 100 * 1024);
    }
}
