using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NetbootPi.Agent.Os.Systemd;

namespace NetbootPi.Browser.Tests;

/// <summary>
/// The terminal page in a real browser: an admin types into xterm.js and the box's shell answers (under the page's
/// policy: a style element without its nonce would be a console error); logging out ends the shell's unit. An
/// operator has no terminal: not in the navigation, the page refused, and the WebSocket refused when the page's
/// script opens it anyway.
/// </summary>
public sealed class TerminalTests(TerminalBox console) : IClassFixture<TerminalBox>
{
    private static readonly Regex TerminalPolicy = new("^default-src 'self'; script-src 'self'; style-src 'self' 'nonce-[A-Za-z0-9+/]{24}'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'$");

    [Fact]
    public async Task An_admin_types_echo_6_times_7_sees_42_and_a_logout_ends_the_shell()
    {
        var bus = console.RequireBus();
        await console.Box.AddUser("root", "admin", ConsoleBox.Password);
        await using var context = await console.ContextAsync();
        var page = await context.NewPageAsync();
        var errors = Pages.WatchConsole(page);
        await page.GotoAsync("/login");
        await Pages.LoginAsync(page, "root", ConsoleBox.Password);
        var mark = console.Box.Process.Mark;
        var response = await page.GotoAsync("/terminal") ?? throw new Xunit.Sdk.XunitException("no answer for /terminal");
        Assert.Matches(TerminalPolicy, (await response.AllHeadersAsync())["content-security-policy"]);
        await Assertions.Expect(page.Locator("nav a[aria-current=page]")).ToHaveTextAsync("Terminal");
        try
        {
            await Assertions.Expect(page.Locator("#terminal-status")).ToHaveTextAsync("Connected.");
        }
        catch (PlaywrightException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\nthe agent said:\n{string.Join('\n', console.Box.Process.Output.Split('\n').TakeLast(15))}");
        }
        var unit = Regex.Match(console.Box.Process.WaitFor(l => l.Contains("opened netbootpi-terminal-", StringComparison.Ordinal), mark, "the terminal's unit"),
            @"netbootpi-terminal-[0-9a-f]+\.service").Value;

        await page.Locator("#terminal").ClickAsync();
        await page.Keyboard.TypeAsync("echo $((6*7))");
        await page.Keyboard.PressAsync("Enter");
        // The typed line shows "echo $((6*7))"; a row that is 42 alone is the shell's answer.
        await Assertions.Expect(page.Locator(".xterm-rows > div").Filter(new() { HasTextRegex = new Regex(@"^\s*42\s*$") })).ToHaveCountAsync(1);
        await Pages.AccessibleAsync(page, "terminal");
        await Pages.ShotAsync(page, "terminal");
        // A phone: the terminal fits its box (fewer columns), the page does not scroll sideways.
        await page.SetViewportSizeAsync(360, 800);
        Assert.False(await Pages.OverflowsAsync(page), "the terminal page is wider than 360 px");
        await Pages.ShotAsync(page, "terminal-360");

        await page.Locator("#logout").ClickAsync();
        await page.WaitForURLAsync(u => new Uri(u).AbsolutePath == "/login");
        console.Box.Process.WaitFor(l => l.Contains($"{unit} closed: ", StringComparison.Ordinal), mark, $"{unit} closed");
        await using var systemd = new SystemdManager(bus);
        var state = await systemd.GetUnitStateAsync(unit, TestContext.Current.CancellationToken);
        Assert.True(state.ActiveState == "inactive", $"{unit} is {state} after the logout");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_operator_has_no_terminal_and_its_WebSocket_is_refused()
    {
        console.RequireBus();
        await using var context = await console.ContextAsync();
        var page = await context.NewPageAsync();
        var errors = Pages.WatchConsole(page);
        var opened = Opened();
        await page.GotoAsync("/login");
        await Pages.LoginAsync(page, "olive", ConsoleBox.Password);
        await Assertions.Expect(page.Locator("nav a[href='/terminal']")).ToHaveCountAsync(0);
        var refused = await Pages.OpenAsync(page, "/terminal");
        Assert.Equal(403, refused.Status);
        await Assertions.Expect(page.Locator("main [role=alert]")).ToContainTextAsync("needs the admin role");
        // The page's script opening the socket anyway, with the operator's cookie and this box's origin.
        var outcome = await page.EvaluateAsync<string>("""
            () => new Promise(done => {
              const socket = new WebSocket('wss://' + location.host + '/api/v1/terminal');
              socket.onopen = () => done('open');
              socket.onclose = e => done('closed ' + e.code);
            })
            """);
        Assert.Equal("closed 1006", outcome);
        Assert.Equal(opened, Opened());
        // chromium reports the refused handshake on the console; nothing else may be there.
        Assert.All(errors, e => Assert.Contains("WebSocket connection to", e, StringComparison.Ordinal));
    }

    private int Opened() => Regex.Count(console.Box.Process.Output, "opened netbootpi-terminal-");
}
