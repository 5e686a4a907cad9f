using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace NetbootPi.Browser.Tests;

/// <summary>
/// The WireGuard page and the users and tokens page in a real browser against the agent as its own process (an agent
/// of this class's own: the tests add users, tokens and peers): an admin's user who can then log in, a token made and
/// revoked through the page that the API then refuses, a peer added, disabled and removed; a peer whose key pair the
/// browser made (its private key checked with <c>wg pubkey</c>, its QR code read back with <c>zbarimg</c>, the key in
/// no request the page sent and nowhere on the box); a viewer who is refused the users page, offered no change on the
/// WireGuard page, and whose forged changes the API refuses. The agent of this tier has no WireGuard interface (it
/// runs without --manage-network): the page says the tunnel is not running.
/// </summary>
public sealed class AdminPagesTests(ConsoleBox console) : IClassFixture<ConsoleBox>
{
    private const string RouterKey = "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=";
    private const string LaptopKey = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";
    private static readonly Regex Bad = new(@"\bbad\b");
    private static readonly SemaphoreSlim Tunnel = new(1, 1);

    /// <summary>A wireguard section in the site (one peer in it), read by the agent, once for the class.</summary>
    private async Task TunnelAsync()
    {
        await Tunnel.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            var site = File.ReadAllText(console.Box.SitePath);
            if (site.Contains("wireguard:", StringComparison.Ordinal)) return;
            File.WriteAllText(console.Box.SitePath, site.TrimEnd('\n') + $$"""

                wireguard:
                  interface: nbpwebwg0
                  address: 10.99.0.1/24
                  endpoint: vpn.t.internal:51820
                  listen_port: 51999
                  peers:
                    router: { public_key: {{RouterKey}}, address: 10.99.0.2 }

                """);
            var (code, _, e) = await console.Box.Cli("reload");
            Assert.True(code == 0, e);
        }
        finally
        {
            Tunnel.Release();
        }
    }

    /// <summary>The peers file beside the site file (none until a peer is added through the API).</summary>
    private string PeersFile()
    {
        var path = Path.Combine(Path.GetDirectoryName(console.Box.SitePath)!, "wireguard-peers.yaml");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    private static ILocator Row(IPage page, string attribute, string name) => page.Locator($"tr[data-{attribute}='{name}']");

    /// <summary>Presses a row's button, is asked, says yes.</summary>
    private static async Task ConfirmAsync(IPage page, ILocator button, string question)
    {
        await button.ClickAsync();
        await Assertions.Expect(page.Locator("#confirm")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#confirm-what")).ToContainTextAsync(question);
        Assert.True(await page.Locator("#confirm-yes").EvaluateAsync<bool>("b => document.activeElement === b"));
        await page.Locator("#confirm-yes").ClickAsync();
        await Assertions.Expect(page.Locator("#confirm")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task An_admin_adds_a_user_who_then_logs_in_and_revokes_a_token_the_api_then_refuses()
    {
        console.Require();
        await using var context = await console.ContextAsync();
        var page = await context.NewPageAsync();
        var errors = Pages.WatchConsole(page);
        await page.GotoAsync("/login?next=/users");
        await Pages.LoginAsync(page, "alice", ConsoleBox.Password, console.NextAdminCode(), "/users");

        await Pages.OpenAsync(page, "/users");
        await Assertions.Expect(page.Locator("nav a[aria-current=page]")).ToHaveTextAsync("Users");
        await Assertions.Expect(page.Locator("nav a[href='/wireguard']")).ToHaveCountAsync(1);
        await Assertions.Expect(Row(page, "user", "alice")).ToContainTextAsync("admin");
        await Assertions.Expect(Row(page, "user", "alice")).ToContainTextAsync("(you)");
        await Assertions.Expect(Row(page, "user", "alice").Locator(".badge").First).ToHaveTextAsync("on");
        await Assertions.Expect(Row(page, "user", "victor")).ToContainTextAsync("viewer");
        await Pages.AccessibleAsync(page, "users");
        await Pages.KeyboardReachesAsync(page, "nav a[href='/users']", "button[data-action=password][data-name=victor]", "button[data-action=remove-user][data-name=olive]",
            "#user-name", "#user-role", "#user-password", "#user-add", "#token-name", "#token-role", "#token-hosts", "#token-create");
        await Pages.ShotAsync(page, "users");

        // A user added through the page logs in (in a browser of their own), and is offered no admin page.
        await page.GetByLabel("Name").First.FillAsync("nora");
        await page.Locator("#user-role").SelectOptionAsync("operator");
        await page.GetByLabel("Initial password").FillAsync("nora's first password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the user" }).ClickAsync();
        await Assertions.Expect(page.Locator("#admin-result")).ToHaveTextAsync("added user nora (operator)");
        await Assertions.Expect(Row(page, "user", "nora")).ToContainTextAsync("operator");
        await using (var theirs = await console.ContextAsync())
        {
            var nora = await theirs.NewPageAsync();
            await nora.GotoAsync("/login");
            await Pages.LoginAsync(nora, "nora", "nora's first password");
            await Assertions.Expect(nora.Locator(".who")).ToContainTextAsync("nora (operator)");
            await Assertions.Expect(nora.Locator("nav a[href='/users']")).ToHaveCountAsync(0);
            await Assertions.Expect(nora.Locator("nav a[href='/wireguard']")).ToHaveCountAsync(1);

            // A new password ends the sessions of the old one.
            await page.Locator("button[data-action=password][data-name=nora]").ClickAsync();
            await Assertions.Expect(page.Locator("#password-who")).ToHaveTextAsync("nora");
            await page.Locator("#password-new").FillAsync("nora's second password");
            await page.GetByRole(AriaRole.Button, new() { Name = "Set the password" }).ClickAsync();
            await Assertions.Expect(page.Locator("#admin-result")).ToHaveTextAsync("set the password of user nora");
            await Assertions.Expect(page.Locator("#password-form")).ToBeHiddenAsync();
            await nora.ReloadAsync();
            Assert.Contains("/login?ended=1", nora.Url);
            await Pages.LoginAsync(nora, "nora", "nora's second password");
        }

        // Removed after a confirm; Cancel first leaves them.
        await page.Locator("button[data-action=remove-user][data-name=nora]").ClickAsync();
        await Assertions.Expect(page.Locator("#confirm-what")).ToHaveTextAsync("Remove nora? Their sessions end at once.");
        await page.Locator("#confirm-no").ClickAsync();
        await Assertions.Expect(page.Locator("#confirm")).ToBeHiddenAsync();
        await Assertions.Expect(Row(page, "user", "nora")).ToHaveCountAsync(1);
        await ConfirmAsync(page, page.Locator("button[data-action=remove-user][data-name=nora]"), "Remove nora?");
        await Assertions.Expect(page.Locator("#admin-result")).ToHaveTextAsync("removed user nora");
        await Assertions.Expect(Row(page, "user", "nora")).ToHaveCountAsync(0);

        // A failed login shows Unlock, which clears it.
        Assert.Equal(401, console.Box.Curl("POST", "/api/v1/login", "-H", "Content-Type: application/json", "--data", """{"name":"olive","password":"not olive's password"}""").Status);
        await page.ReloadAsync();
        await Assertions.Expect(Row(page, "user", "olive")).ToContainTextAsync("(1 failed login)");
        await ConfirmAsync(page, page.Locator("button[data-action=unlock][data-name=olive]"), "Unlock olive?");
        await Assertions.Expect(page.Locator("#admin-result")).ToHaveTextAsync("user olive was not locked; its failed logins are cleared");
        await Assertions.Expect(page.Locator("button[data-action=unlock][data-name=olive]")).ToHaveCountAsync(0);

        // A token made through the page is shown once and works; revoked through the page, the API refuses it.
        await page.GetByLabel("Name (what it is for)").FillAsync("ci job");
        await page.Locator("#token-role").SelectOptionAsync("viewer");
        await page.Locator("#token-hosts").FillAsync("pi1, pi2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the token" }).ClickAsync();
        await Assertions.Expect(page.Locator("#token-made")).ToBeVisibleAsync();
        var secret = (await page.Locator("#token-secret").TextContentAsync())!;
        Assert.False(string.IsNullOrWhiteSpace(secret));
        var token = page.Locator("#tokens tbody tr").Filter(new() { HasText = "ci job" });
        await Assertions.Expect(token).ToContainTextAsync("pi1, pi2");
        await Assertions.Expect(token).ToContainTextAsync("never");
        Assert.Equal(200, (await console.Box.Request("GET", "/api/v1/hosts", secret)).Status);
        await Pages.AccessibleAsync(page, "users with a new token");
        await Pages.ShotAsync(page, "users-token");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#token-made")).ToBeHiddenAsync();
        Assert.DoesNotContain(secret, await page.ContentAsync());
        await ConfirmAsync(page, token.Locator("button[data-action=revoke]"), "Revoke the token ci job");
        await Assertions.Expect(page.Locator("#admin-result")).ToContainTextAsync("revoked ");
        await Assertions.Expect(token.Locator(".badge")).ToHaveTextAsync("revoked");
        Assert.Equal(401, (await console.Box.Request("GET", "/api/v1/hosts", secret)).Status);

        // Refused by the API: its sentence, marked as an error.
        await page.Locator("#user-name").FillAsync("Bad Name");
        await page.GetByLabel("Initial password").FillAsync("a long enough password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the user" }).ClickAsync();
        await Assertions.Expect(page.Locator("#admin-result")).ToContainTextAsync("name: 'Bad Name' is not a user name");
        await Assertions.Expect(page.Locator("#admin-result")).ToHaveClassAsync(Bad);

        await page.SetViewportSizeAsync(360, 740);
        await page.ReloadAsync();
        Assert.False(await Pages.OverflowsAsync(page), "/users is wider than 360 px");
        await Pages.ShotAsync(page, "users-360");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_admin_adds_a_peer_sees_its_config_disables_and_removes_it()
    {
        console.Require();
        await TunnelAsync();
        await console.Box.AddUser("wendy", "admin", ConsoleBox.Password);
        await using var context = await console.ContextAsync();
        var page = await context.NewPageAsync();
        var errors = Pages.WatchConsole(page);
        await page.GotoAsync("/login?next=/wireguard");
        await Pages.LoginAsync(page, "wendy", ConsoleBox.Password, expectPath: "/wireguard");

        await Pages.OpenAsync(page, "/wireguard");
        await Assertions.Expect(page.Locator("nav a[aria-current=page]")).ToHaveTextAsync("WireGuard");
        var facts = page.Locator("dl.facts");
        await Assertions.Expect(facts).ToContainTextAsync("nbpwebwg0");
        await Assertions.Expect(facts).ToContainTextAsync("10.99.0.1/24");
        await Assertions.Expect(facts).ToContainTextAsync("vpn.t.internal:51820");
        await Assertions.Expect(facts).ToContainTextAsync("UDP 51999");
        await Assertions.Expect(page.Locator("#kernel")).ToContainTextAsync("The tunnel is not running here");
        var router = Row(page, "peer", "router");
        await Assertions.Expect(router).ToContainTextAsync("10.99.0.2");
        await Assertions.Expect(router).ToContainTextAsync("not running: not on the interface");
        await Assertions.Expect(router.Locator("td").Nth(4)).ToHaveTextAsync("never");
        await Assertions.Expect(router.Locator("td").Nth(5)).ToHaveTextAsync("none");
        // The key shortened, the whole of it one click away.
        await Assertions.Expect(router.Locator("details summary")).ToHaveTextAsync(RouterKey[..8] + "…");
        await router.Locator("details summary").ClickAsync();
        await Assertions.Expect(router.Locator("details > code")).ToHaveTextAsync(RouterKey);
        await Pages.AccessibleAsync(page, "wireguard");
        await Pages.KeyboardReachesAsync(page, "nav a[href='/wireguard']", "tr[data-peer=router] summary", "button[data-action=disable][data-name=router]",
            "button[data-action=remove][data-name=router]", "#peer-name", "#peer-keys-browser", "#peer-address", "#peer-add");
        await Pages.ShotAsync(page, "wireguard");

        // Added by the public key the peer made: listed, and its config shown once, with a comment where its private
        // key goes (and no QR code: the config is not whole).
        await page.GetByLabel("Name").FillAsync("laptop");
        await Assertions.Expect(page.Locator("#peer-key")).ToBeHiddenAsync();
        await page.Locator("#peer-keys-paste").CheckAsync();
        await page.Locator("#peer-key").FillAsync(LaptopKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the peer" }).ClickAsync();
        await Assertions.Expect(page.Locator("#admin-result")).ToContainTextAsync("added peer laptop (10.99.0.3)");
        await Assertions.Expect(page.Locator("#admin-result")).ToContainTextAsync("the agent runs it now");
        var config = page.Locator("#client-config");
        await Assertions.Expect(config).ToContainTextAsync("# PrivateKey = the private key whose public key you gave (wg genkey)\nAddress = 10.99.0.3/32\n");
        await Assertions.Expect(config).ToContainTextAsync("Endpoint = vpn.t.internal:51820\nAllowedIPs = 10.99.0.0/24");
        await Assertions.Expect(page.Locator("#client-qr-box")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#client-paste")).ToBeVisibleAsync();
        var laptop = Row(page, "peer", "laptop");
        await Assertions.Expect(laptop).ToContainTextAsync("10.99.0.3");
        await Assertions.Expect(laptop.Locator(".badge").First).ToHaveTextAsync("enabled");
        Assert.Contains(LaptopKey, PeersFile());
        await Pages.AccessibleAsync(page, "wireguard with a new peer's config");
        await Pages.ShotAsync(page, "wireguard-added");

        // A key that is not one: the API's sentence.
        await page.GetByLabel("Name").FillAsync("phone");
        await page.Locator("#peer-keys-paste").CheckAsync();
        await page.Locator("#peer-key").FillAsync("not a key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the peer" }).ClickAsync();
        await Assertions.Expect(page.Locator("#admin-result")).ToContainTextAsync("public_key: not a WireGuard public key");
        await Assertions.Expect(page.Locator("#admin-result")).ToHaveClassAsync(Bad);

        // Disabled after a confirm, then removed.
        await ConfirmAsync(page, laptop.Locator("button[data-action=disable]"), "Disable peer laptop?");
        await Assertions.Expect(page.Locator("#admin-result")).ToContainTextAsync("laptop");
        await Assertions.Expect(laptop.Locator(".badge").First).ToHaveTextAsync("disabled");
        await Assertions.Expect(laptop).ToContainTextAsync("disabled: handshakes refused");
        await Assertions.Expect(laptop.Locator("button[data-action=enable]")).ToHaveCountAsync(1);
        await ConfirmAsync(page, laptop.Locator("button[data-action=remove]"), "Remove peer laptop?");
        await Assertions.Expect(laptop).ToHaveCountAsync(0);
        await Assertions.Expect(Row(page, "peer", "router")).ToHaveCountAsync(1);
        Assert.DoesNotContain(LaptopKey, PeersFile());

        await page.SetViewportSizeAsync(360, 740);
        await page.ReloadAsync();
        Assert.False(await Pages.OverflowsAsync(page), "/wireguard is wider than 360 px");
        await Pages.ShotAsync(page, "wireguard-360");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_admin_adds_a_peer_with_keys_made_in_the_browser_whose_private_key_never_leaves_it()
    {
        console.Require();
        var wg = Peers.Require("wg", "wireguard-tools");
        var zbarimg = Peers.Require("zbarimg", "zbar-tools");
        await TunnelAsync();
        await console.Box.AddUser("bruno", "admin", ConsoleBox.Password);
        await using var context = await console.ContextAsync();
        var page = await context.NewPageAsync();
        var errors = Pages.WatchConsole(page);
        // Every request the page sends, whole: the private key must be in none of them.
        var sent = new List<string>();
        page.Request += (_, r) =>
        {
            lock (sent) sent.Add($"{r.Method} {r.Url}\n{string.Join("\n", r.Headers.Select(h => $"{h.Key}: {h.Value}"))}\n{r.PostData}");
        };
        await page.GotoAsync("/login?next=/wireguard");
        await Pages.LoginAsync(page, "bruno", ConsoleBox.Password, expectPath: "/wireguard");
        await Pages.OpenAsync(page, "/wireguard");

        // The browser's pair by default: no public key to paste.
        await Assertions.Expect(page.Locator("#peer-keys-browser")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#peer-key")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#peer-keys-none")).ToBeHiddenAsync();
        await page.GetByLabel("Name").FillAsync("tablet");
        await page.GetByLabel("Tunnel address").FillAsync("10.99.0.20");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the peer" }).ClickAsync();
        await Assertions.Expect(page.Locator("#admin-result")).ToContainTextAsync("added peer tablet (10.99.0.20)");
        await Assertions.Expect(page.Locator("#client-made")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#client-paste")).ToBeHiddenAsync();
        var qr = page.Locator("#client-qr svg");
        await Assertions.Expect(qr).ToBeVisibleAsync();
        await Assertions.Expect(Row(page, "peer", "tablet")).ToContainTextAsync("10.99.0.20");

        // The CLI's lines in the CLI's order, the private key written in.
        var config = (await page.Locator("#client-config").TextContentAsync())!;
        var privateKey = Regex.Match(config, @"^PrivateKey = ([A-Za-z0-9+/]{43}=)$", RegexOptions.Multiline).Groups[1].Value;
        Assert.True(privateKey.Length == 44, config);
        Assert.Matches(new Regex(@"^# tablet: WireGuard access to site \S+ \(from the netbootpi web console\)\n\[Interface\]\nPrivateKey = \S+\nAddress = 10\.99\.0\.20/32\n(DNS = .+\n)?\n" +
            @"\[Peer\]\nPublicKey = \S{44}\nEndpoint = vpn\.t\.internal:51820\nAllowedIPs = 10\.99\.0\.0/24.*\nPersistentKeepalive = 25\n\z"), config);

        // Its public key (wg's own arithmetic) is the one the box keeps for the peer.
        var stored = await page.EvaluateAsync<string>("() => fetch('/api/v1/wireguard/peers').then(r => r.json()).then(j => j.peers.find(p => p.name === 'tablet').public_key)");
        Assert.Equal(stored, await PublicKeyAsync(wg, privateKey));

        // The QR code, read from the screen as a phone's camera reads it, is the config.
        var shot = Path.Combine(ConsoleBox.Artifacts, "wireguard-qr.png");
        await qr.ScreenshotAsync(new() { Path = shot });
        var (code, decoded, why) = await Tool.RunAsync(zbarimg, ["--quiet", "--raw", "-Sbinary", shot], TestContext.Current.CancellationToken);
        Assert.True(code == 0, $"zbarimg could not read the QR code: {why}");
        Assert.Equal(config, decoded);
        await Pages.AccessibleAsync(page, "wireguard with a config made in the browser");
        await Pages.ShotAsync(page, "wireguard-browser-keys");

        // Not sent, not kept, not logged; gone with the page.
        lock (sent)
        {
            Assert.DoesNotContain(sent, r => r.Contains(privateKey, StringComparison.Ordinal));
            Assert.Contains(sent, r => r.StartsWith("POST ", StringComparison.Ordinal) && r.Contains(stored, StringComparison.Ordinal));
        }
        Assert.DoesNotContain(privateKey, console.Box.Process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(privateKey, PeersFile(), StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(console.Box.StateDir, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(privateKey, File.ReadAllText(file), StringComparison.Ordinal);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#client")).ToBeHiddenAsync();
        Assert.DoesNotContain(privateKey, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Empty(errors);

        // A browser without X25519 in its WebCrypto: a sentence, and the paste path.
        var old = await context.NewPageAsync();
        var oldErrors = Pages.WatchConsole(old);
        await old.AddInitScriptAsync("crypto.subtle.generateKey = () => Promise.reject(new DOMException('Unrecognized name.', 'NotSupportedError'));");
        await old.GotoAsync("/wireguard");
        await Assertions.Expect(old.Locator("#peer-keys-none")).ToBeVisibleAsync();
        await Assertions.Expect(old.Locator("#peer-keys-paste")).ToBeCheckedAsync();
        await Assertions.Expect(old.Locator("#peer-keys-browser")).ToBeDisabledAsync();
        await Assertions.Expect(old.Locator("#peer-key")).ToBeVisibleAsync();
        Assert.Empty(oldErrors);
    }

    /// <summary><c>wg pubkey</c>: the public key of a private key, as WireGuard computes it.</summary>
    private static async Task<string> PublicKeyAsync(string wg, string privateKey)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(wg, "pubkey") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        await p.StandardInput.WriteLineAsync(privateKey);
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(p.ExitCode == 0, $"wg pubkey: {await errors}");
        return (await output).Trim();
    }

    [Fact]
    public async Task A_viewer_is_refused_the_users_page_sees_peers_without_controls_and_forged_changes_are_refused()
    {
        console.Require();
        await TunnelAsync();
        await using var context = await console.ContextAsync();
        var page = await context.NewPageAsync();
        var errors = Pages.WatchConsole(page);
        await page.GotoAsync("/login?next=/wireguard");
        await Pages.LoginAsync(page, "victor", ConsoleBox.Password, expectPath: "/wireguard");

        await Pages.OpenAsync(page, "/wireguard");
        await Assertions.Expect(page.Locator("nav a[href='/users']")).ToHaveCountAsync(0);
        await Assertions.Expect(Row(page, "peer", "router")).ToContainTextAsync("10.99.0.2");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Adding, disabling, enabling and removing peers need the admin role.");
        foreach (var control in new[] { "button[data-action]", "#peer-form", "#confirm", "#admin-result" })
            Assert.Equal(0, await page.Locator(control).CountAsync());
        await Pages.AccessibleAsync(page, "wireguard as a viewer");
        await Pages.ShotAsync(page, "wireguard-viewer");

        // With the session's token each change is refused for the role; without it, for the missing token.
        var peers = PeersFile();
        var forged = await page.EvaluateAsync<int[]>($$"""
            async () => {
              const csrf = document.querySelector('meta[name="csrf-token"]').content;
              const calls = [['/api/v1/users', { name: 'mallory', role: 'admin', password: 'mallory password' }], ['/api/v1/users/remove', { name: 'alice' }],
                ['/api/v1/users/password', { name: 'alice', password: 'mallory password' }], ['/api/v1/users/unlock', { name: 'alice' }],
                ['/api/v1/tokens', { name: 'x', role: 'admin' }], ['/api/v1/tokens/revoke', { id: 'x' }],
                ['/api/v1/wireguard/peers', { name: 'evil', public_key: '{{LaptopKey}}' }], ['/api/v1/wireguard/peers/disable', { name: 'router' }],
                ['/api/v1/wireguard/peers/enable', { name: 'router' }], ['/api/v1/wireguard/peers/remove', { name: 'router' }]];
              const out = [];
              for (const [url, body] of calls)
                for (const token of [true, false])
                  out.push(await fetch(url, { method: 'POST', body: JSON.stringify(body),
                    headers: token ? { 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' } : { 'Content-Type': 'application/json' } }).then(r => r.status));
              return out;
            }
            """);
        Assert.Equal(Enumerable.Repeat(403, 20), forged);
        Assert.Equal(peers, PeersFile());

        var refused = await Pages.OpenAsync(page, "/users");
        Assert.Equal(403, refused.Status);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Not for this account");
        await Assertions.Expect(page.Locator("main [role=alert]")).ToContainTextAsync("needs the admin role");
        await Pages.AccessibleAsync(page, "users refused to a viewer");
        Assert.Empty(errors);
    }
}
