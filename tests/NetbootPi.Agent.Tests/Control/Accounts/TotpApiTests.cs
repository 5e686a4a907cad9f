using System.Text.Json;
using System.Text.RegularExpressions;
using NetbootPi.Agent.Control.Accounts;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Control.Accounts;

/// <summary>
/// TOTP end to end: enrolled with <c>netbootpi user totp</c> over the socket, used at <c>POST /api/v1/login</c> over
/// HTTPS against the agent as its own process (curl as the client). The agent runs on the real clock, so the codes
/// are computed here from the secret on the same clock; the window and replay rules on a fake clock are in
/// <see cref="AccountStoreTotpTests"/>.
/// </summary>
public class TotpApiTests
{
    private const string Password = "correct horse battery";

    private static CurlResult Login(AccountAgent box, string name, string password, string? totp = null) =>
        box.Curl("POST", "/api/v1/login", "--json", totp is null
            ? $"{{\"name\":\"{name}\",\"password\":\"{password}\"}}"
            : $"{{\"name\":\"{name}\",\"password\":\"{password}\",\"totp\":\"{totp}\"}}");

    private static string Error(CurlResult r) => JsonDocument.Parse(r.Text).RootElement.GetProperty("error").GetString()!;

    private static string Code(byte[] secret, int steps = 0) => Totp.Code(secret, Totp.StepOf(DateTimeOffset.UtcNow) + steps);

    private static async Task<(byte[] Secret, string[] Recovery, string Output)> Enrol(AccountAgent box, string name)
    {
        var (code, o, e) = await box.Cli("user", "totp", "enable", name);
        Assert.True(code == 0, e);
        var uri = Regex.Match(o, @"^otpauth://totp/NetbootPi:" + name + @"%40t\?secret=([A-Z2-7]{32})&issuer=NetbootPi&algorithm=SHA1&digits=6&period=30$", RegexOptions.Multiline);
        Assert.True(uri.Success, o);
        Assert.Contains($"\nsecret: {uri.Groups[1].Value}\n", o);
        var recovery = Regex.Matches(o, @"^  ([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(10, recovery.Length);
        return (Totp.FromBase32(uri.Groups[1].Value)!, recovery, o);
    }

    private static async Task<int> FailedLogins(AccountAgent box, string name)
    {
        var (_, users, _) = await box.Cli("user", "list", "--json");
        return JsonDocument.Parse(users).RootElement.EnumerateArray().Single(u => u.GetProperty("name").GetString() == name).GetProperty("failed_logins").GetInt32();
    }

    [Fact]
    public async Task A_user_with_totp_logs_in_with_a_code_once_or_a_recovery_code_once_and_every_miss_counts_as_a_failure()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        using var box = new AccountAgent();
        var agent = box.Start();
        await box.AddUser("alice", "admin", Password);

        var (secret, recovery, output) = await Enrol(box, "alice");
        // The QR code, as half blocks for the terminal.
        Assert.Contains("▀", output);
        Assert.EndsWith("then: netbootpi user totp confirm alice CODE (a code the app shows); until then a login needs no code\n", output);
        var (code, o, e) = await box.Cli("user", "list");
        Assert.Matches(@"\nalice +admin +\S+ \S+ +pending +ok\n", o);
        // Pending: the password alone still logs in.
        Assert.Equal(200, Login(box, "alice", Password).Status);

        var wrong = Code(secret, 3);
        (code, _, e) = await box.Cli("user", "totp", "confirm", "alice", wrong);
        Assert.Equal((1, "netbootpi: the agent refused: code: not the code of user alice's new secret now (6 digits from the app; is the phone's clock right?); the enrolment stays pending\n"), (code, e));
        var confirming = Code(secret);
        (code, o, _) = await box.Cli("user", "totp", "confirm", "alice", confirming);
        Assert.Equal((0, "confirmed user alice's TOTP: a login needs a code from now on\n"), (code, o));
        (code, _, e) = await box.Cli("user", "totp", "enable", "alice");
        Assert.Equal((1, "netbootpi: the agent refused: user alice has TOTP already; to enrol another phone, disable it first (netbootpi user totp disable alice)\n"), (code, e));
        (_, o, _) = await box.Cli("user", "list");
        Assert.Matches(@"\nalice +admin +\S+ \S+ +on +ok\n", o);

        // No code, the code used to confirm (a replay), a wrong password with a good code: the same refusal, each a failure.
        var none = Login(box, "alice", Password);
        Assert.Equal((401, PasswordLogins.WrongLogin), (none.Status, Error(none)));
        var replay = Login(box, "alice", Password, confirming);
        Assert.Equal((401, PasswordLogins.WrongLogin), (replay.Status, Error(replay)));
        Assert.Equal(2, await FailedLogins(box, "alice"));
        var next = Code(secret, 1);
        Assert.Equal(401, Login(box, "alice", "not the password", next).Status);
        Assert.Equal(3, await FailedLogins(box, "alice"));
        agent.WaitFor("accounts: login as alice from 127.0.0.1 refused: no TOTP code");
        agent.WaitFor("accounts: login as alice from 127.0.0.1 refused: wrong or used TOTP code");

        // The next step's code (the phone a little ahead) is good, once; the failures are cleared.
        var good = Login(box, "alice", Password, next);
        Assert.Equal(200, good.Status);
        Assert.Equal("alice", JsonDocument.Parse(good.Text).RootElement.GetProperty("user").GetString());
        Assert.Equal(0, await FailedLogins(box, "alice"));
        Assert.Equal(401, Login(box, "alice", Password, next).Status);

        // A recovery code instead, once, however it is typed.
        Assert.Equal(200, Login(box, "alice", Password, recovery[2].ToUpperInvariant()).Status);
        agent.WaitFor("accounts: user alice logged in from 127.0.0.1 with a recovery code; 9 left");
        Assert.Equal(401, Login(box, "alice", Password, recovery[2]).Status);

        // The secret and the recovery codes are in no log line; the file has the secret (0600) and only hashes of the codes.
        var file = File.ReadAllText(Path.Combine(box.StateDir, "accounts.json"));
        Assert.Contains(Totp.Base32(secret), file);
        Assert.DoesNotContain(Totp.Base32(secret), agent.Output);
        foreach (var r in recovery)
        {
            Assert.DoesNotContain(r, agent.Output);
            Assert.DoesNotContain(r, file);
        }
        agent.WaitFor(l => l.Contains("accounts: uid 0 (pid ") && l.EndsWith(") enrolled user alice in TOTP (pending until confirmed), with 10 recovery codes"), 0, "the audit line of totp enable");

        (code, o, _) = await box.Cli("user", "totp", "disable", "alice");
        Assert.Equal((0, "disabled user alice's TOTP and its recovery codes\n"), (code, o));
        Assert.Equal(200, Login(box, "alice", Password).Status);
        (code, _, e) = await box.Cli("user", "totp", "confirm", "alice", Code(secret));
        Assert.Equal((1, "netbootpi: the agent refused: user alice has no TOTP enrolment to confirm (netbootpi user totp enable alice makes one)\n"), (code, e));
        (code, _, e) = await box.Cli("user", "totp", "enable", "nobody");
        Assert.Equal((1, "netbootpi: the agent refused: no such user (netbootpi user list shows them)\n"), (code, e));
    }

    [Fact]
    public async Task Five_wrong_codes_lock_the_account_like_wrong_passwords()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        using var box = new AccountAgent();
        box.Start();
        await box.AddUser("carol", "operator", Password);
        var (secret, _, _) = await Enrol(box, "carol");
        Assert.Equal(0, (await box.Cli("user", "totp", "confirm", "carol", Code(secret))).Code);
        for (var i = 0; i < 5; i++) Assert.Equal(401, Login(box, "carol", Password, "00000" + i).Status);
        var locked = Login(box, "carol", Password, Code(secret, 1));
        Assert.Equal((403, "account carol is locked after 5 failed logins; an admin lifts it with netbootpi user unlock carol"), (locked.Status, Error(locked)));
    }

    [Fact]
    public async Task When_the_site_requires_totp_of_admins_an_admin_without_it_is_told_how_to_enrol_on_the_box()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        using var box = new AccountAgent("  api_require_totp: admins");
        var agent = box.Start();
        await box.AddUser("alice", "admin", Password);
        await box.AddUser("bob", "viewer", Password);

        var refused = Login(box, "alice", Password);
        Assert.Equal((403, "user alice must log in with TOTP (server.api_require_totp: admins) and has none: on the box, netbootpi user totp enable alice, scan its QR code, then netbootpi user totp confirm alice CODE"),
            (refused.Status, Error(refused)));
        agent.WaitFor("accounts: login as alice from 127.0.0.1 refused: no TOTP, which server.api_require_totp requires");
        // Told only after the right password.
        Assert.Equal((401, PasswordLogins.WrongLogin), (Login(box, "alice", "not the password").Status, Error(Login(box, "alice", "not the password 2"))));
        // A pending enrolment is not enough.
        var (secret, _, _) = await Enrol(box, "alice");
        Assert.Equal(403, Login(box, "alice", Password).Status);
        Assert.Equal(0, (await box.Cli("user", "totp", "confirm", "alice", Code(secret))).Code);
        Assert.Equal(200, Login(box, "alice", Password, Code(secret, 1)).Status);
        // Not an admin: the password is enough.
        Assert.Equal(200, Login(box, "bob", Password).Status);
    }
}
