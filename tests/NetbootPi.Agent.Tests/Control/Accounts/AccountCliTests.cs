using System.Text.Json;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Control.Accounts;

/// <summary><c>netbootpi user</c> and <c>netbootpi token</c> against a running agent (its own process), over its control socket.</summary>
public class AccountCliTests
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task Users_are_added_listed_changed_and_removed_over_the_socket_and_every_change_is_audited()
    {
        Peers.RequireRoot();
        using var box = new AccountAgent();
        var agent = box.Start(networkApi: false);

        var (code, o, e) = await box.Cli("user", "list");
        Assert.Equal((0, "no users (netbootpi user add NAME --role admin makes the first)\n", ""), (code, o, e));

        (code, o, e) = await box.CliWithInput(Password + "\n", "user", "add", "alice", "--role", "admin", "--password-stdin");
        Assert.Equal((0, "added user alice (admin)\n", ""), (code, o, e));
        (code, o, e) = await box.CliWithInput(Password + "\n", "user", "add", "alice", "--role", "viewer", "--password-stdin");
        Assert.Equal((1, "", "netbootpi: the agent refused: user alice exists already\n"), (code, o, e));
        (code, _, e) = await box.CliWithInput("short\n", "user", "add", "bob", "--role", "viewer", "--password-stdin");
        Assert.Equal((1, "netbootpi: the agent refused: password: 10 to 1024 characters (this one has 5)\n"), (code, e));
        (code, _, e) = await box.CliWithInput(Password + "\n", "user", "add", "Bob!", "--role", "viewer", "--password-stdin");
        Assert.Equal(1, code);
        Assert.StartsWith("netbootpi: the agent refused: name: 'Bob!' is not a user name", e);
        (code, _, e) = await box.Cli("user", "add", "bob", "--role", "root");
        Assert.Equal(2, code);
        Assert.Contains("--role: 'root' is not viewer, operator or admin", e);
        // No terminal and no --password-stdin: said, nothing sent.
        (code, _, e) = await box.CliWithInput("", "user", "add", "bob", "--role", "viewer");
        Assert.Equal((1, "netbootpi: no terminal to read the password from: give it on standard input with --password-stdin\n"), (code, e));
        await box.AddUser("bob", "viewer", "another long password");

        (code, o, _) = await box.Cli("user", "list", "--json");
        Assert.Equal(0, code);
        Assert.DoesNotContain("argon2", o);
        Assert.DoesNotContain("password", o);
        using (var json = JsonDocument.Parse(o))
        {
            var users = json.RootElement.EnumerateArray().ToList();
            Assert.Equal(["alice", "bob"], users.Select(u => u.GetProperty("name").GetString()));
            Assert.Equal(["admin", "viewer"], users.Select(u => u.GetProperty("role").GetString()));
            Assert.All(users, u => Assert.False(u.GetProperty("locked").GetBoolean()));
        }
        (code, o, _) = await box.Cli("user", "list");
        Assert.Matches(@"^NAME +ROLE +CREATED +TOTP +STATE\nalice +admin +\d{4}-\d\d-\d\d \d\d:\d\dZ +off +ok\nbob +viewer ", o);

        (code, o, _) = await box.CliWithInput("a new long password\n", "user", "passwd", "bob", "--password-stdin", "--json");
        Assert.Equal(0, code);
        using (var json = JsonDocument.Parse(o)) Assert.Equal("set the password of user bob", json.RootElement.GetProperty("message").GetString());
        (code, o, _) = await box.Cli("user", "unlock", "bob");
        Assert.Equal((0, "user bob was not locked; its failed logins are cleared\n"), (code, o));
        (code, o, _) = await box.Cli("user", "remove", "bob");
        Assert.Equal((0, "removed user bob\n"), (code, o));
        (code, _, e) = await box.Cli("user", "remove", "bob");
        Assert.Equal((1, "netbootpi: the agent refused: no such user (netbootpi user list shows them)\n"), (code, e));

        // The file: mode 0600, the hash there and nowhere in the log.
        var file = Path.Combine(box.StateDir, "accounts.json");
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(file));
        Assert.Contains("$argon2id$v=19$m=19456,t=2,p=1$", File.ReadAllText(file));
        agent.WaitFor(l => l.Contains("accounts: uid 0 (pid ") && l.EndsWith(") added user alice (admin)"), 0, "the audit line of user add");
        agent.WaitFor("control: uid 0's POST /api/v1/users ended with 409");
        agent.WaitFor(l => l.Contains("accounts: uid 0 (pid ") && l.EndsWith(") removed user bob"), 0, "the audit line of user remove");
        Assert.DoesNotContain("argon2", agent.Output);
        Assert.DoesNotContain(Password, agent.Output);

        // An operator (a member of the socket's group) may not touch accounts.
        (code, _, e) = await Tool.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", AgentProcess.Executable, "user", "list", "--socket", box.Socket],
            TestContext.Current.CancellationToken);
        Assert.Equal(1, code);
        Assert.Matches(@"^netbootpi: the agent refused: GET /api/v1/users needs the admin role; uid 65534 \(pid \d+\) has the operator role\n$", e);
    }

    [Fact]
    public async Task Tokens_are_shown_once_kept_as_hashes_listed_with_their_last_use_and_revoked()
    {
        Peers.RequireRoot();
        using var box = new AccountAgent();
        var agent = box.Start(networkApi: false);

        var (code, o, e) = await box.Cli("token", "create", "backup", "--role", "operator", "--host", "pi1", "--host", "pi2", "--json");
        Assert.Equal(0, code);
        string id, secret;
        using (var json = JsonDocument.Parse(o))
        {
            secret = json.RootElement.GetProperty("secret").GetString()!;
            var token = json.RootElement.GetProperty("token");
            id = token.GetProperty("id").GetString()!;
            Assert.Equal(("backup", "operator"), (token.GetProperty("name").GetString(), token.GetProperty("role").GetString()));
            Assert.Equal(["pi1", "pi2"], token.GetProperty("hosts").EnumerateArray().Select(h => h.GetString()));
        }
        Assert.Matches("^nbp_[A-Za-z0-9_-]{43}$", secret);
        (code, o, e) = await box.Cli("token", "create", "ci", "--role", "viewer");
        Assert.Equal(0, code);
        Assert.Matches("^nbp_[A-Za-z0-9_-]{43}\n$", o);
        Assert.Matches(@"^token [0-9a-f]{12} \(ci\), role viewer: shown this once; send it as 'Authorization: Bearer TOKEN'\n$", e);

        (code, o, _) = await box.Cli("token", "list", "--json");
        Assert.Equal(0, code);
        Assert.DoesNotContain(secret[4..], o);
        using (var json = JsonDocument.Parse(o))
        {
            var tokens = json.RootElement.EnumerateArray().ToList();
            Assert.Equal(2, tokens.Count);
            Assert.All(tokens, t => Assert.Equal(JsonValueKind.Null, t.GetProperty("last_used").ValueKind));
            Assert.All(tokens, t => Assert.False(t.TryGetProperty("sha256", out _)));
        }
        (code, o, _) = await box.Cli("token", "list");
        Assert.Matches($@"^ID +NAME +ROLE +HOSTS +CREATED +LAST USED +STATE\n{id} +backup +operator +pi1,pi2 +\d{{4}}-\d\d-\d\d \d\d:\d\dZ +never +active\n", o);
        var stored = File.ReadAllText(Path.Combine(box.StateDir, "accounts.json"));
        Assert.DoesNotContain(secret[4..], stored);
        Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret))), stored);

        (code, o, _) = await box.Cli("token", "revoke", id);
        Assert.Equal((0, $"revoked token {id} (backup)\n"), (code, o));
        (code, o, _) = await box.Cli("token", "revoke", id);
        Assert.Equal((0, $"token {id} (backup) was revoked already\n"), (code, o));
        (code, _, e) = await box.Cli("token", "revoke", "000000000000");
        Assert.Equal((1, "netbootpi: the agent refused: no token 000000000000 (netbootpi token list shows them)\n"), (code, e));
        (_, o, _) = await box.Cli("token", "list");
        Assert.Matches($@"\n{id} .* revoked \d{{4}}-\d\d-\d\d \d\d:\d\dZ\n", o);
        agent.WaitFor(l => l.Contains("accounts: uid 0 (pid ") && l.Contains($") created token {id} (backup) with role operator for hosts pi1, pi2"), 0, "the audit line of token create");
        agent.WaitFor($") revoked token {id} (backup)");
        Assert.DoesNotContain(secret[4..], agent.Output);
    }

    [Fact]
    public async Task A_damaged_accounts_file_stops_the_start_with_where_it_is_wrong()
    {
        Peers.RequireRoot();
        using var box = new AccountAgent();
        Directory.CreateDirectory(box.StateDir);
        var file = Path.Combine(box.StateDir, "accounts.json");
        File.WriteAllText(file, "{\"version\": 1,\n \"users\": [}\n");
        using var agent = AgentProcess.Start(null, "run", "--config", box.SitePath, "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0",
            "--no-dhcp", "--no-dns", "--control-socket", box.Socket);
        Assert.Equal(1, agent.WaitForExit());
        Assert.Contains($"netbootpi: not starting: the control API does not start: {file}:2:", agent.Output);
        Assert.Equal("{\"version\": 1,\n \"users\": [}\n", File.ReadAllText(file));
    }
}
