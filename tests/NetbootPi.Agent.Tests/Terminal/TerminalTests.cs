using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Tests.Control.Accounts;
using NetbootPi.Agent.Tests.Os.Systemd;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Terminal;

/// <summary>
/// The web console's terminal against a real systemd: the agent (its own process) talks to a <c>systemd --user</c>
/// of the test's own as if it were PID 1 (DBUS_SYSTEM_BUS_ADDRESS), which runs the shell as a transient unit on the
/// agent's pseudo-terminal. The client is a .NET WebSocket sending what a browser sends (the session cookie, the
/// page's Origin). That the shell escapes the agent's sandbox needs the agent under ProtectSystem=strict: the kernel
/// lab's TerminalLabTests.
/// </summary>
public class TerminalTests(SystemdUserManagerFixture systemd) : IClassFixture<SystemdUserManagerFixture>
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task An_admin_gets_a_login_shell_in_a_unit_that_ends_with_the_session_and_nobody_else_gets_one()
    {
        Peers.RequireRoot();
        var bus = systemd.RequireBus();
        var cancellation = TestContext.Current.CancellationToken;
        using var box = new AccountAgent();
        var agent = box.Start(environment: new Dictionary<string, string> { ["DBUS_SYSTEM_BUS_ADDRESS"] = bus });
        // The shell runs as the local user of the account's name: root here (the test's systemd is root's own).
        await box.AddUser("root", "admin", Password);
        await box.AddUser("olive", "operator", Password);
        var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(box.CertificatePath));
        await using var manager = new SystemdManager(bus);

        using (var olive = new TerminalClient(box.Url, certificate))
        {
            await olive.LoginAsync("olive", Password, cancellation);
            var refused = await Assert.ThrowsAsync<WebSocketException>(() => olive.ConnectAsync(80, 24, cancellation));
            Assert.Contains("403", refused.Message, StringComparison.Ordinal);
        }
        using var admin = new TerminalClient(box.Url, certificate);
        await admin.LoginAsync("root", Password, cancellation);
        // A page elsewhere that makes the browser open the socket with the admin's cookie: refused by its Origin.
        var forged = await Assert.ThrowsAsync<WebSocketException>(() => admin.ConnectAsync(80, 24, cancellation, origin: "https://elsewhere.example"));
        Assert.Contains("403", forged.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("opened netbootpi-terminal-", agent.Output, StringComparison.Ordinal);

        await admin.ConnectAsync(100, 30, cancellation);
        var unit = Regex.Match(agent.WaitFor("opened netbootpi-terminal-"), @"netbootpi-terminal-[0-9a-f]+\.service").Value;
        Assert.True((await manager.GetUnitStateAsync(unit, cancellation)).IsActive, unit);
        // The echo of what is typed shows "$((6*7))x"; only the shell's answer is "42x".
        await admin.TypeAsync("stty size; echo $((6*7))x; echo \"user $(id -un) term $TERM\"\n", cancellation);
        Assert.True(await admin.ReadUntilAsync("42x", TimeSpan.FromSeconds(20), cancellation), admin.Output);
        Assert.True(await admin.ReadUntilAsync("user root term xterm-256color", TimeSpan.FromSeconds(10), cancellation), admin.Output);
        Assert.Contains("30 100", admin.Output, StringComparison.Ordinal);
        await admin.ResizeAsync(120, 40, cancellation);
        await admin.TypeAsync("stty size\n", cancellation);
        Assert.True(await admin.ReadUntilAsync("40 120", TimeSpan.FromSeconds(10), cancellation), admin.Output);

        // Logging out ends the session, and with it the terminal and its unit. The socket is read while the logout
        // runs, as a browser reads it: the agent cuts off a client that has not answered its close frame within
        // 5 s, and a read begun only after the logout's answer came back could be later than that on a loaded
        // machine (a fresh-clone CI run saw the reset instead of the close frame once).
        var closed = admin.ReadUntilClosedAsync(TimeSpan.FromSeconds(15), cancellation);
        Assert.Equal(HttpStatusCode.OK, await admin.LogoutAsync(cancellation));
        Assert.Equal("the login session ended", await closed);
        agent.WaitFor($"{unit} closed: the login session ended");
        var state = await manager.GetUnitStateAsync(unit, cancellation);
        Assert.True(state.ActiveState is "inactive", $"{unit} is {state} after the logout");
        // Audited: who opened which unit, and why it closed.
        var events = (await box.Request("GET", "/api/v1/events", await box.Token("viewer"))).Text;
        Assert.Contains($"terminal {unit} opened: root", events, StringComparison.Ordinal);
        Assert.Contains($"terminal {unit} closed: the login session ended", events, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"cols\":132,\"rows\":43}", 132, 43)]
    [InlineData("{\"rows\":10,\"cols\":20}", 20, 10)]
    public void A_size_message_is_read(string json, int columns, int rows) =>
        Assert.Equal(((int, int)?)(columns, rows), NetbootPi.Agent.Terminal.TerminalService.Size(System.Text.Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData("{\"cols\":0,\"rows\":24}")]
    [InlineData("{\"cols\":80}")]
    [InlineData("{\"cols\":\"80\",\"rows\":24}")]
    [InlineData("{\"cols\":100000,\"rows\":24}")]
    [InlineData("not json")]
    [InlineData("[80,24]")]
    public void Anything_else_is_no_size(string json) =>
        Assert.Null(NetbootPi.Agent.Terminal.TerminalService.Size(System.Text.Encoding.UTF8.GetBytes(json)));
}
