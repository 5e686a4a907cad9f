using System.Text.Json;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Control.Accounts;

/// <summary>
/// <c>netbootpi user hash</c> and the first-admin file, against the agent as its own process: the admin it makes logs
/// in over HTTPS with the password that was hashed; a malformed file stops the start with where it is wrong.
/// </summary>
public class FirstAdminAgentTests
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task A_hash_from_user_hash_in_the_first_admin_file_makes_an_admin_who_logs_in_with_that_password()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        using var box = new AccountAgent();
        var (code, hash, e) = await box.CliWithInput(Password + "\n", "user", "hash", "--password-stdin");
        Assert.True(code == 0, e);
        Assert.Matches(@"^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}\n$", hash);
        (code, _, e) = await box.CliWithInput("short\n", "user", "hash", "--password-stdin");
        Assert.Equal((1, "netbootpi: the password has 5 characters; the agent takes 10 to 1024\n"), (code, e));

        Directory.CreateDirectory(box.StateDir);
        var file = Path.Combine(box.StateDir, "first-admin");
        File.WriteAllText(file, "alice:" + hash);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var agent = box.Start();
        agent.WaitFor($"accounts: made admin alice from {file}, renamed to {file}.used");
        Assert.False(File.Exists(file));
        Assert.DoesNotContain("argon2", agent.Output);

        var login = box.Curl("POST", "/api/v1/login", "--json", $"{{\"name\":\"alice\",\"password\":\"{Password}\"}}");
        Assert.Equal(200, login.Status);
        Assert.Equal("admin", JsonDocument.Parse(login.Text).RootElement.GetProperty("role").GetString());

        // Dropped again with an admin there: left alone, with a warning.
        File.Copy(file + ".used", file);
        File.WriteAllText(file, File.ReadAllText(file).Replace("alice:", "mallory:", StringComparison.Ordinal));
        agent = box.Start();
        agent.WaitFor($"accounts: {file} ignored: the box has an admin already (alice); remove the file");
        var (_, users, _) = await box.Cli("user", "list", "--json");
        Assert.Equal(["alice"], JsonDocument.Parse(users).RootElement.EnumerateArray().Select(u => u.GetProperty("name").GetString()));
    }

    [Fact]
    public void A_malformed_first_admin_file_stops_the_start_with_where_it_is_wrong()
    {
        Peers.RequireRoot();
        using var box = new AccountAgent();
        Directory.CreateDirectory(box.StateDir);
        var file = Path.Combine(box.StateDir, "first-admin");
        File.WriteAllText(file, "# the first admin\nalice:$argon2id$v=19$m=19456,t=2,p=1$c29tZQ$\n");
        using var agent = AgentProcess.Start(null, "run", "--config", box.SitePath, "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0",
            "--no-dhcp", "--no-dns", "--control-socket", box.Socket);
        Assert.Equal(1, agent.WaitForExit());
        Assert.Contains($"netbootpi: not starting: the control API does not start: {file}:2:7: the salt is not base64 of at least 8 bytes", agent.Output);
        Assert.True(File.Exists(file));
        Assert.False(File.Exists(Path.Combine(box.StateDir, "accounts.json")));
    }
}
