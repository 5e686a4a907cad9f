using System.Text.Json;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Control.Accounts;

/// <summary>
/// The control API over HTTPS on the management address (a 127.x address here), against the agent as its own
/// process, with curl and openssl as the clients.
/// </summary>
public class NetworkApiTests
{
    private const string Password = "correct horse battery";

    private static string Hostname => Environment.MachineName.ToLowerInvariant();

    [Fact]
    public async Task The_certificate_is_made_once_names_the_box_and_its_address_and_status_shows_its_fingerprint()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        var openssl = Peers.Require("openssl", "openssl");
        var ct = TestContext.Current.CancellationToken;
        using var box = new AccountAgent();
        var agent = box.Start();
        var listening = agent.WaitFor($"control API listening on {box.Url}/ (HTTP on port {AccountAgent.RedirectPort} redirects), certificate SHA-256 ");

        var (_, san, _) = await Tool.RunAsync(openssl, ["x509", "-in", box.CertificatePath, "-noout", "-ext", "subjectAltName"], ct);
        Assert.Contains($"DNS:{Hostname}", san);
        Assert.Contains($"IP Address:{box.Address}", san);
        var (_, text, _) = await Tool.RunAsync(openssl, ["x509", "-in", box.CertificatePath, "-noout", "-text"], ct);
        Assert.Contains("ASN1 OID: prime256v1", text);
        Assert.Contains("Signature Algorithm: ecdsa-with-SHA256", text);
        var (_, fp, _) = await Tool.RunAsync(openssl, ["x509", "-in", box.CertificatePath, "-noout", "-fingerprint", "-sha256"], ct);
        var fingerprint = fp.Trim().Split('=')[1];
        Assert.EndsWith(fingerprint + "; 0 users, 0 tokens", listening);
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(box.StateDir, "api-key.pem")));

        var (code, o, _) = await box.Cli("status");
        Assert.Equal(0, code);
        Assert.Contains($"\napi:    {box.Url}/ certificate SHA-256 {fingerprint}\n", o);

        // TLS verified against the made certificate: the health probe answers anyone.
        var health = box.Curl("GET", "/api/v1/health");
        Assert.Equal(200, health.Status);
        Assert.Equal("up", JsonDocument.Parse(health.Text).RootElement.GetProperty("status").GetString());
        // Without it curl does not trust the box.
        var untrusted = Curl.Run($"{box.Url}/api/v1/health");
        Assert.Equal(0, untrusted.Status);
        Assert.Contains("SSL certificate problem: self-signed certificate", untrusted.Error);

        // Plain HTTP on the management address only redirects, to the address itself.
        var plain = Curl.Run("-H", "Host: evil.example", $"http://{box.Address}:{AccountAgent.RedirectPort}/api/v1/status?x=1");
        Assert.Equal(308, plain.Status);
        Assert.Equal($"{box.Url}/api/v1/status?x=1", plain.Header("Location"));
        Assert.Empty(plain.Body);

        // A restart keeps the certificate.
        agent = box.Start();
        Assert.EndsWith(fingerprint + "; 0 users, 0 tokens", agent.WaitFor("control API listening on "));
        Assert.DoesNotContain("made a new certificate", agent.Output);
    }

    [Fact]
    public async Task The_sites_own_certificate_is_served_as_it_is()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        var openssl = Peers.Require("openssl", "openssl");
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("netbootpi-own-cert-").FullName;
        try
        {
            var (cert, key) = (Path.Combine(dir, "api.pem"), Path.Combine(dir, "api.key"));
            using var box = new AccountAgent($"  api_cert: {cert}\n  api_key: {key}");
            var (code, _, e) = await Tool.RunAsync(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                "-subj", "/CN=own", "-addext", $"subjectAltName=IP:{box.Address}"], ct);
            Assert.True(code == 0, e);
            var (_, fp, _) = await Tool.RunAsync(openssl, ["x509", "-in", cert, "-noout", "-fingerprint", "-sha256"], ct);
            var agent = box.Start();
            Assert.Contains($"certificate SHA-256 {fp.Trim().Split('=')[1]};", agent.WaitFor("control API listening on "));
            Assert.False(File.Exists(box.CertificatePath));
            Assert.Equal(200, Curl.Run("--cacert", cert, $"{box.Url}/api/v1/health").Status);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void An_api_that_cannot_listen_stops_the_start_and_says_where()
    {
        Peers.RequireRoot();
        using var box = new AccountAgent();
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Parse(box.Address), AccountAgent.HttpsPort);
        taken.Start();
        using var agent = AgentProcess.Start(null, "run", "--config", box.SitePath, "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0",
            "--no-dhcp", "--no-dns", "--control-socket", box.Socket, "--network-api");
        Assert.Equal(1, agent.WaitForExit());
        Assert.Contains($"netbootpi: not starting: the control API cannot listen on {box.Address} port {AccountAgent.HttpsPort} and {AccountAgent.RedirectPort} (network mgmt, server.api_port and server.api_http_port): ",
            agent.Output);
        Assert.DoesNotContain("   at ", agent.Output);
    }

    [Fact]
    public async Task Every_mapped_endpoint_has_a_role_and_answers_each_role_as_declared()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        using var box = new AccountAgent();
        box.Start();

        // A fresh box: no way in, but the health probe.
        var fresh = box.Curl("GET", "/api/v1/status");
        Assert.Equal(401, fresh.Status);
        Assert.Contains("the box has no accounts yet: an admin is made on the box itself", Error(fresh));
        Assert.Equal("Bearer", fresh.Header("WWW-Authenticate"));

        var tokens = new Dictionary<string, string>
        {
            ["viewer"] = await box.Token("viewer"),
            ["operator"] = await box.Token("operator"),
            ["admin"] = await box.Token("admin"),
        };
        var rank = new Dictionary<string, int> { ["anyone"] = 0, ["viewer"] = 1, ["operator"] = 2, ["admin"] = 3 };

        // The router's own table, from the running agent (the list it matches requests against).
        var table = box.Curl("GET", "/api/v1/endpoints", "-H", $"Authorization: Bearer {tokens["viewer"]}");
        Assert.Equal(200, table.Status);
        var endpoints = JsonDocument.Parse(table.Text).RootElement.EnumerateArray()
            .Select(e => (Method: e.GetProperty("method").GetString()!, Path: e.GetProperty("path").GetString()!, Role: e.GetProperty("role").GetString()!,
                Page: e.GetProperty("page").GetBoolean())).ToList();
        Assert.True(endpoints.Count >= 16, table.Text);
        Assert.All(endpoints, e => Assert.True(rank.ContainsKey(e.Role), $"{e.Method} {e.Path} has no declared role ('{e.Role}')"));
        // Without credentials: the health probe, the login, and the web console's login page and its assets.
        // And Redfish's service root, its versions, and its login (a session); kvmd's login.
        Assert.Equal(["GET /api/v1/health", "GET /assets/admin.js", "GET /assets/console-host.js", "GET /assets/console.css", "GET /assets/console.js", "GET /assets/icon.svg",
                "GET /assets/qrcode-LICENSE.txt", "GET /assets/qrcode.js", "GET /assets/site.js", "GET /assets/terminal.js", "GET /assets/xterm-LICENSE.txt", "GET /assets/xterm.css", "GET /assets/xterm.js", "GET /login",
                "GET /redfish", "GET /redfish/v1", "POST /api/auth/login", "POST /api/v1/login", "POST /redfish/v1/SessionService/Sessions"],
            endpoints.Where(e => e.Role == "anyone").Select(e => $"{e.Method} {e.Path}").Order(StringComparer.Ordinal));
        foreach (var must in new[] { "GET /api/v1/status", "POST /api/v1/site/reload", "GET /api/v1/users", "POST /api/v1/tokens", "POST /api/v1/tokens/revoke", "POST /api/v1/logout", "POST /api/v1/power", "GET /api/v1/recovery", "GET /api/v1/install", "POST /api/v1/reinstall" })
            Assert.Contains(must, endpoints.Select(e => $"{e.Method} {e.Path}"));
        // The web console's pages are routes of the same table, each with its role.
        Assert.Equal(["GET /", "GET /console", "GET /host", "GET /hosts", "GET /login", "GET /site", "GET /terminal", "GET /users", "GET /wireguard"], endpoints.Where(e => e.Page).Select(e => $"{e.Method} {e.Path}").Order(StringComparer.Ordinal));

        var checkedCalls = 0;
        foreach (var (method, path, role, page) in endpoints)
        {
            // Bodies stay empty: an endpoint that reads one refuses with 400, after the credentials were accepted.
            var anonymous = await box.Request(method, path);
            if (role == "anyone") Assert.True(anonymous.Status is not (401 or 403 or 0), $"{method} {path} without credentials: {anonymous.Status} {anonymous.Text}");
            // A page sends a browser to the login page (and back after it) instead of answering 401.
            else if (page) Assert.True(anonymous.Status == 303 && anonymous.Header("Location") == "/login?next=" + Uri.EscapeDataString(path),
                $"{method} {path} without credentials: {anonymous.Status} {anonymous.Header("Location")}");
            else Assert.True(anonymous.Status == 401, $"{method} {path} without credentials: {anonymous.Status} {anonymous.Text}");
            foreach (var (tokenRole, token) in tokens)
            {
                var r = await box.Request(method, path, token);
                // Allowed: past the credentials and the role (a handler's own 404, "no host named ...", is an answer too).
                if (rank[tokenRole] >= rank[role])
                    Assert.True(r.Status is not (401 or 403 or 405 or 500 or 0) && !(r.Status == 404 && r.Text.Contains("no such endpoint")),
                        $"{method} {path} as {tokenRole}: {r.Status} {r.Text}");
                else
                {
                    Assert.True(r.Status == 403, $"{method} {path} as {tokenRole}: {r.Status} {r.Text}");
                    Assert.Contains($"needs the {role} role; token ", page ? r.Text : Error(r));
                }
                checkedCalls++;
            }
        }
        Assert.Equal(endpoints.Count * 3, checkedCalls);

        // A wrong or revoked token is no credential.
        Assert.Equal(401, box.Curl("GET", "/api/v1/status", "-H", $"Authorization: Bearer {tokens["admin"][..^2]}xx").Status);
        Assert.Equal(401, box.Curl("GET", "/api/v1/status", "-H", "Authorization: Basic YWRtaW46YWRtaW4=").Status);
        var (_, list, _) = await box.Cli("token", "list", "--json");
        var adminId = JsonDocument.Parse(list).RootElement.EnumerateArray().First(t => t.GetProperty("role").GetString() == "admin").GetProperty("id").GetString()!;
        Assert.Equal(0, (await box.Cli("token", "revoke", adminId)).Code);
        Assert.Equal(401, box.Curl("GET", "/api/v1/status", "-H", $"Authorization: Bearer {tokens["admin"]}").Status);
        // Its last use was recorded.
        (_, list, _) = await box.Cli("token", "list", "--json");
        Assert.All(JsonDocument.Parse(list).RootElement.EnumerateArray(), t => Assert.Equal(JsonValueKind.String, t.GetProperty("last_used").ValueKind));
    }

    [Fact]
    public async Task Open_metrics_answer_without_credentials_and_a_reload_cannot_close_them()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        using var box = new AccountAgent("  metrics: open");
        box.Start();
        var metrics = box.Curl("GET", "/metrics");
        Assert.Equal(200, metrics.Status);
        Assert.Contains("netbootpi_site_hosts 0\n", metrics.Text, StringComparison.Ordinal);
        Assert.Equal(401, box.Curl("GET", "/api/v1/status").Status);

        File.WriteAllText(box.SitePath, File.ReadAllText(box.SitePath).Replace("  metrics: open", "  metrics: token", StringComparison.Ordinal));
        var (code, _, e) = await box.Cli("reload");
        Assert.Equal(1, code);
        Assert.Contains("server.metrics: changed from open to token, which takes a restart (who may read /metrics is set when the API starts)", e, StringComparison.Ordinal);
        Assert.Equal(200, box.Curl("GET", "/metrics").Status);
    }

    [Fact]
    public async Task A_host_scoped_token_reads_but_changes_nothing_beyond_its_hosts()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        using var box = new AccountAgent();
        box.Start();
        var scoped = await box.Token("admin", "pi1");
        Assert.Equal(200, box.Curl("GET", "/api/v1/status", "-H", $"Authorization: Bearer {scoped}").Status);
        var reload = box.Curl("POST", "/api/v1/site/reload", "-H", $"Authorization: Bearer {scoped}");
        Assert.Equal(403, reload.Status);
        Assert.EndsWith("(admin token) is scoped to hosts pi1; POST /api/v1/site/reload changes more than one host's things", Error(reload));
        var users = box.Curl("POST", "/api/v1/tokens", "-H", $"Authorization: Bearer {scoped}", "--json", "{\"name\":\"x\",\"role\":\"admin\",\"hosts\":[]}");
        Assert.Equal(403, users.Status);
        // The power endpoint acts on one host: its own passes the scope (and gets the endpoint's answer), another does not.
        var other = box.Curl("POST", "/api/v1/power?host=pi2&action=cycle", "-H", $"Authorization: Bearer {scoped}");
        Assert.Equal((403, "(admin token) is scoped to hosts pi1, not pi2"), (other.Status, Error(other)[Error(other).IndexOf('(')..]));
        var own = box.Curl("POST", "/api/v1/power?host=pi1&action=cycle", "-H", $"Authorization: Bearer {scoped}");
        Assert.Equal(404, own.Status);
        Assert.StartsWith("no host named 'pi1' in ", Error(own));
    }

    [Fact]
    public async Task A_login_gives_a_strict_cookie_and_changes_need_its_csrf_token()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        using var box = new AccountAgent();
        var agent = box.Start();
        await box.AddUser("alice", "admin", Password);

        var wrong = box.Curl("POST", "/api/v1/login", "--json", "{\"name\":\"alice\",\"password\":\"not it at all\"}");
        Assert.Equal((401, "wrong name, password or TOTP code"), (wrong.Status, Error(wrong)));
        var login = box.Curl("POST", "/api/v1/login", "--json", $"{{\"name\":\"alice\",\"password\":\"{Password}\"}}");
        Assert.Equal(200, login.Status);
        Assert.Equal("no-store", login.Header("Cache-Control"));
        var setCookie = login.Header("Set-Cookie")!;
        Assert.Matches("^nbp_session=[A-Za-z0-9_-]{43}; Path=/; Max-Age=43200; HttpOnly; Secure; SameSite=Strict$", setCookie);
        var cookie = "Cookie: " + setCookie.Split(';')[0];
        var body = JsonDocument.Parse(login.Text).RootElement;
        Assert.Equal(("alice", "admin"), (body.GetProperty("user").GetString(), body.GetProperty("role").GetString()));
        var csrf = body.GetProperty("csrf_token").GetString()!;

        Assert.Equal(200, box.Curl("GET", "/api/v1/users", "-H", cookie).Status);
        var noCsrf = box.Curl("POST", "/api/v1/tokens", "-H", cookie, "--json", "{\"name\":\"x\",\"role\":\"viewer\"}");
        Assert.Equal(403, noCsrf.Status);
        Assert.Equal("POST /api/v1/tokens changes something: a session must send its csrf_token (from the login's answer) in X-CSRF-Token", Error(noCsrf));
        Assert.Equal(403, box.Curl("POST", "/api/v1/tokens", "-H", cookie, "-H", "X-CSRF-Token: " + csrf[..^1] + (csrf[^1] == 'A' ? "B" : "A"), "--json", "{\"name\":\"x\",\"role\":\"viewer\"}").Status);
        var made = box.Curl("POST", "/api/v1/tokens", "-H", cookie, "-H", "X-CSRF-Token: " + csrf, "--json", "{\"name\":\"from the browser\",\"role\":\"viewer\"}");
        Assert.Equal(201, made.Status);
        agent.WaitFor(l => l.Contains("accounts: user alice (from 127.0.0.1") && l.Contains(") created token ") && l.EndsWith("(from the browser) with role viewer"), 0, "the audit line of the session's change");

        var logout = box.Curl("POST", "/api/v1/logout", "-H", cookie, "-H", "X-CSRF-Token: " + csrf);
        Assert.Equal(200, logout.Status);
        Assert.StartsWith("nbp_session=; Path=/; Max-Age=0;", logout.Header("Set-Cookie"));
        var after = box.Curl("GET", "/api/v1/users", "-H", cookie);
        Assert.Equal(401, after.Status);
        Assert.StartsWith("the session ended", Error(after));
        Assert.DoesNotContain(Password, agent.Output);
        Assert.DoesNotContain(csrf, agent.Output);
        Assert.DoesNotContain(setCookie.Split(';')[0]["nbp_session=".Length..], agent.Output);
    }

    [Fact]
    public async Task A_user_changes_their_own_password_with_the_current_one_and_every_session_ends()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        using var box = new AccountAgent();
        var agent = box.Start();
        await box.AddUser("bob", "viewer", Password);
        (string Cookie, string Csrf) Login(string password)
        {
            var login = box.Curl("POST", "/api/v1/login", "--json", $"{{\"name\":\"bob\",\"password\":\"{password}\"}}");
            Assert.Equal(200, login.Status);
            return ("Cookie: " + login.Header("Set-Cookie")!.Split(';')[0], JsonDocument.Parse(login.Text).RootElement.GetProperty("csrf_token").GetString()!);
        }
        var (cookie, csrf) = Login(Password);
        var (other, _) = Login(Password);
        const string NewPassword = "a longer passphrase of bob's";

        var wrong = box.Curl("POST", "/api/v1/me/password", "-H", cookie, "-H", "X-CSRF-Token: " + csrf, "--json", $"{{\"current\":\"not it\",\"password\":\"{NewPassword}\"}}");
        Assert.Equal((403, "the current password is wrong"), (wrong.Status, Error(wrong)));
        var (_, users, _) = await box.Cli("user", "list", "--json");
        Assert.Equal(1, JsonDocument.Parse(users).RootElement.EnumerateArray().Single(u => u.GetProperty("name").GetString() == "bob").GetProperty("failed_logins").GetInt32());
        Assert.Equal(400, box.Curl("POST", "/api/v1/me/password", "-H", cookie, "-H", "X-CSRF-Token: " + csrf, "--json", $"{{\"current\":\"{Password}\",\"password\":\"short\"}}").Status);
        Assert.Equal(403, box.Curl("POST", "/api/v1/me/password", "-H", cookie, "--json", $"{{\"current\":\"{Password}\",\"password\":\"{NewPassword}\"}}").Status);

        var changed = box.Curl("POST", "/api/v1/me/password", "-H", cookie, "-H", "X-CSRF-Token: " + csrf, "--json", $"{{\"current\":\"{Password}\",\"password\":\"{NewPassword}\"}}");
        Assert.Equal(200, changed.Status);
        Assert.Equal("password of bob changed; 2 sessions ended, this one too: log in again", JsonDocument.Parse(changed.Text).RootElement.GetProperty("message").GetString());
        Assert.Equal(401, box.Curl("GET", "/api/v1/status", "-H", cookie).Status);
        Assert.Equal(401, box.Curl("GET", "/api/v1/status", "-H", other).Status);
        Assert.Equal(401, box.Curl("POST", "/api/v1/login", "--json", $"{{\"name\":\"bob\",\"password\":\"{Password}\"}}").Status);
        Assert.Equal(200, box.Curl("GET", "/api/v1/status", "-H", Login(NewPassword).Cookie).Status);
        agent.WaitFor("accounts: user bob (from 127.0.0.1");

        // A token is nobody's password.
        var token = await box.Token("viewer");
        var byToken = box.Curl("POST", "/api/v1/me/password", "-H", $"Authorization: Bearer {token}", "--json", $"{{\"current\":\"x\",\"password\":\"{NewPassword}\"}}");
        Assert.Equal(409, byToken.Status);
        Assert.Contains("a token has no password of its own", Error(byToken));
        Assert.DoesNotContain(NewPassword, agent.Output);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_an_account_until_an_admin_unlocks_it_and_logins_are_rate_limited()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        using var box = new AccountAgent();
        var agent = box.Start();
        await box.AddUser("bob", "operator", Password);
        string Login(string password, string from = "127.0.0.1") => Error(box.Curl("POST", "/api/v1/login", "--interface", from, "--json", $"{{\"name\":\"bob\",\"password\":\"{password}\"}}"));

        for (var i = 0; i < 5; i++) Assert.Equal("wrong name, password or TOTP code", Login("guess number " + i));
        // Locked: the right password does not get in.
        var locked = box.Curl("POST", "/api/v1/login", "--json", $"{{\"name\":\"bob\",\"password\":\"{Password}\"}}");
        Assert.Equal((403, "account bob is locked after 5 failed logins; an admin lifts it with netbootpi user unlock bob"), (locked.Status, Error(locked)));
        var (_, users, _) = await box.Cli("user", "list", "--json");
        Assert.True(JsonDocument.Parse(users).RootElement[0].GetProperty("locked").GetBoolean());
        agent.WaitFor("accounts: login as bob from 127.0.0.1 refused: wrong password; now locked");

        var (code, o, _) = await box.Cli("user", "unlock", "bob");
        Assert.Equal((0, "unlocked user bob\n"), (code, o));
        Assert.Equal(200, box.Curl("POST", "/api/v1/login", "--json", $"{{\"name\":\"bob\",\"password\":\"{Password}\"}}").Status);

        // Per name: the tenth attempt within the minute is the last; the next waits, from any address.
        // 5 wrong, 1 locked, 1 right so far.
        for (var i = 0; i < 3; i++) Login("guess again " + i, from: "127.0.0.2");
        var limited = box.Curl("POST", "/api/v1/login", "--interface", "127.0.0.3", "--json", $"{{\"name\":\"bob\",\"password\":\"{Password}\"}}");
        Assert.Equal(429, limited.Status);
        Assert.Matches(@"^too many logins from 127\.0\.0\.3 or for this name; try again in \d+ s$", Error(limited));
        Assert.True(int.Parse(limited.Header("Retry-After")!) is > 0 and <= 60);
        // Per address: 30 a minute, whatever the names.
        var codes = Enumerable.Range(0, 31).Select(i => box.Curl("POST", "/api/v1/login", "--interface", "127.0.0.4", "--json", $"{{\"name\":\"n{i}\",\"password\":\"x\"}}").Status).ToList();
        Assert.Equal(Enumerable.Repeat(401, 30).Append(429), codes);
    }

    [Fact]
    public async Task Bad_bodies_are_400_with_where_never_500()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        using var box = new AccountAgent();
        var agent = box.Start();
        var admin = await box.Token("admin");
        CurlResult Post(params string[] more) => box.Curl("POST", "/api/v1/users", ["-H", $"Authorization: Bearer {admin}", .. more]);

        var malformed = Post("--json", "{\"name\": \"carol\",\n \"role\": }");
        Assert.Equal(400, malformed.Status);
        Assert.StartsWith("the body at line 2, column 10 (role): ", Error(malformed));
        var unknown = Post("--json", "{\"name\": \"carol\", \"role\": \"admin\", \"password\": \"long enough pass\", \"admin\": true}");
        Assert.Equal(400, unknown.Status);
        Assert.Equal("the body at line 1, column 76 (admin): unknown field 'admin'", Error(unknown));
        var missing = Post("--json", "{\"name\": \"carol\", \"role\": \"admin\"}");
        Assert.Equal(400, missing.Status);
        Assert.Equal("the body at line 1, column 35: missing field 'password'", Error(missing));
        var wrongType = Post("--json", "{\"name\": 5, \"role\": \"admin\", \"password\": \"long enough pass\"}");
        Assert.Equal(400, wrongType.Status);
        Assert.Equal("the body at line 1, column 11 (name): this value has the wrong type", Error(wrongType));
        Assert.Equal((400, "the body is empty; expected a JSON object"), (Post().Status, Error(Post())));

        var big = Path.GetTempFileName();
        try
        {
            File.WriteAllText(big, "{\"name\": \"" + new string('a', 70_000) + "\"}");
            var oversized = Post("-H", "Content-Type: application/json", "--data-binary", "@" + big);
            Assert.Equal((400, "the body is 70,012 bytes; the most this endpoint reads is 65,536"), (oversized.Status, Error(oversized)));
            var chunked = Post("-H", "Content-Type: application/json", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + big);
            Assert.Equal((400, "the body is longer than 65,536 bytes, the most this endpoint reads"), (chunked.Status, Error(chunked)));
        }
        finally
        {
            File.Delete(big);
        }
        Assert.DoesNotContain(" failed", agent.Output);
        var (_, users, _) = await box.Cli("user", "list", "--json");
        Assert.Equal("[]", users.Trim());
    }

    // The API's {"error": "a sentence"}, or a Redfish path's {"error": {"message": "a sentence", ...}}.
    /// <summary>A refusal's sentence: the API's <c>{"error"}</c>, Redfish's <c>error.message</c>, kvmd's <c>result.error_msg</c>.</summary>
    private static string Error(CurlResult r)
    {
        var root = JsonDocument.Parse(r.Text).RootElement;
        if (root.TryGetProperty("result", out var kvmd)) return kvmd.GetProperty("error_msg").GetString()!;
        return root.GetProperty("error") is { ValueKind: JsonValueKind.Object } o ? o.GetProperty("message").GetString()! : root.GetProperty("error").GetString()!;
    }
}
