using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace NetbootPi.Browser.Tests;

/// <summary>
/// The site page in a real browser against the agent as its own process (an agent of this class's own: the tests
/// change its site file): an admin's edit validated with its errors at their line, an apply shown as a diff first and
/// then served, an edit of a file that changed since refused, a rollback; a viewer who sees the file and no controls,
/// and whose forged changes the API refuses. The network confirm's countdown is not tested here: the agent of this
/// tier runs without --manage-network (the network applier needs networkd, in the kernel lab), so no change of its
/// ever waits for a confirm.
/// </summary>
public sealed class SiteEditorTests(ConsoleBox console) : IClassFixture<ConsoleBox>
{
    private static readonly Regex Bad = new(@"\bbad\b");

    /// <summary>The 1-based line of <paramref name="text"/> that contains <paramref name="part"/>.</summary>
    private static int LineOf(string text, string part) => text[..text.IndexOf(part, StringComparison.Ordinal)].Count(c => c == '\n') + 1;

    [Fact]
    public async Task An_admin_validates_an_edit_sees_its_diff_applies_it_and_an_edit_of_a_changed_file_is_refused()
    {
        console.Require();
        await using var context = await console.ContextAsync();
        var page = await context.NewPageAsync();
        var errors = Pages.WatchConsole(page);
        await page.GotoAsync("/login?next=/site");
        await Pages.LoginAsync(page, "alice", ConsoleBox.Password, console.NextAdminCode(), "/site");
        var original = File.ReadAllText(console.Box.SitePath);

        // The file the agent runs, by line, and the editor with it.
        await Pages.OpenAsync(page, "/site");
        var lines = original.TrimEnd('\n').Split('\n').Length;
        await Assertions.Expect(page.Locator("#source li")).ToHaveCountAsync(lines);
        await Assertions.Expect(page.Locator("#source li").Nth(LineOf(original, "pi2:") - 1)).ToHaveTextAsync(original.Split('\n')[LineOf(original, "pi2:") - 1]);
        var editor = page.GetByLabel("Site file (YAML)");
        await Assertions.Expect(editor).ToHaveValueAsync(original);
        await Assertions.Expect(page.Locator("nav a[aria-current=page]")).ToHaveTextAsync("Site");
        await Pages.AccessibleAsync(page, "site");
        await Pages.KeyboardReachesAsync(page, "a.skip", "nav a[href='/site']", "#site-text", "#site-validate", "#site-review", ".source-box");
        await Pages.ShotAsync(page, "site");

        // A MAC that is not one: Validate shows the error naming its line; selecting it selects that line.
        var broken = original.Replace("02:00:00:00:00:02", "02:00:00:00:00:zz", StringComparison.Ordinal);
        var line = LineOf(broken, "02:00:00:00:00:zz");
        await editor.FillAsync(broken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Validate" }).ClickAsync();
        await Assertions.Expect(page.Locator("#site-result")).ToHaveTextAsync("1 error; the site file would be refused. Select one to go to its line.");
        var error = page.Locator("#site-errors li");
        await Assertions.Expect(error).ToHaveCountAsync(1);
        await Assertions.Expect(error).ToContainTextAsync(new Regex($@"^line {line}, column \d+: hosts\.pi2\.mac: .*02:00:00:00:00:zz"));
        await Pages.AccessibleAsync(page, "site with an error");
        await Pages.ShotAsync(page, "site-errors");
        await error.Locator("a").ClickAsync();
        var start = broken.Split('\n').Take(line - 1).Sum(l => l.Length + 1);
        var end = start + broken.Split('\n')[line - 1].Length;
        Assert.Equal([start, end], await editor.EvaluateAsync<int[]>("t => [t.selectionStart, t.selectionEnd]"));
        Assert.True(await editor.EvaluateAsync<bool>("t => document.activeElement === t"));
        await Assertions.Expect(page.Locator("#caret")).ToContainTextAsync($"line {line}, column 1");

        // Fixed, and a host added: Apply shows what changes first (the host, the file's diff; no network change).
        var pi2 = original.Split('\n')[LineOf(original, "pi2:") - 1];
        var added = original.Replace(pi2, pi2 + "\n  pi3: { mac: 02:00:00:00:00:03, ip: 10.250.0.13 }", StringComparison.Ordinal);
        await editor.FillAsync(added);
        // The gutter numbers every line of the text, the new one too.
        await Assertions.Expect(page.Locator("#gutter")).ToHaveTextAsync(string.Join('\n', Enumerable.Range(1, added.Split('\n').Length)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply…" }).ClickAsync();
        await Assertions.Expect(page.Locator("#review")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#changes > li")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#changes > li")).ToContainTextAsync("added host pi3");
        await Assertions.Expect(page.Locator("#changes > li")).ToContainTextAsync("mac: 02:00:00:00:00:03");
        // (The file ended without a newline after pi2: its line is removed and added again with one, as diff -u shows it.)
        await Assertions.Expect(page.Locator("#diff .add").Last).ToHaveTextAsync("+  pi3: { mac: 02:00:00:00:00:03, ip: 10.250.0.13 }\n");
        await Assertions.Expect(page.Locator("#network-note")).ToBeHiddenAsync();
        Assert.Equal(original, File.ReadAllText(console.Box.SitePath));
        await Pages.AccessibleAsync(page, "site with a change to apply");
        await Pages.ShotAsync(page, "site-review");

        // Applied: the file on disk is the text, and the agent serves the new host.
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply this change" }).ClickAsync();
        await Assertions.Expect(page.Locator("#site-result")).ToContainTextAsync($"{console.Box.SitePath} replaced and running; the file before is {console.Box.SitePath}.previous: site t, 2 networks, 3 hosts.");
        Assert.Equal(added, File.ReadAllText(console.Box.SitePath));
        Assert.Equal(original, File.ReadAllText(console.Box.SitePath + ".previous"));
        await Assertions.Expect(page.Locator("#source li")).ToHaveCountAsync(lines + 1);
        await Assertions.Expect(page.Locator("#site-rollback")).ToBeVisibleAsync();
        var hosts = await page.EvaluateAsync<string[]>("async () => (await (await fetch('/api/v1/hosts')).json()).map(h => h.name)");
        Assert.Equal(["pi1", "pi2", "pi3"], hosts);

        // Edited again from that copy, but the file changes on disk before the apply: refused with the API's words,
        // and the other edit stays.
        await editor.FillAsync(added.Replace("10.250.0.13", "10.250.0.14", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply…" }).ClickAsync();
        await Assertions.Expect(page.Locator("#changes > li")).ToContainTextAsync("changed host pi3");
        var theirs = added + "\n# someone else's edit\n";
        File.WriteAllText(console.Box.SitePath, theirs);
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply this change" }).ClickAsync();
        await Assertions.Expect(page.Locator("#site-result")).ToContainTextAsync($"{console.Box.SitePath} changed since it was read (its SHA-256 is ");
        await Assertions.Expect(page.Locator("#site-result")).ToContainTextAsync("get it again and redo the edit");
        await Assertions.Expect(page.Locator("#site-result")).ToHaveClassAsync(Bad);
        Assert.Equal(theirs, File.ReadAllText(console.Box.SitePath));

        // Roll back: the file the apply replaced comes back and runs (the one on disk becomes the previous).
        await page.GetByRole(AriaRole.Button, new() { Name = "Roll back to the previous file" }).ClickAsync();
        await Assertions.Expect(page.Locator("#site-result")).ToContainTextAsync("replaced and running");
        Assert.Equal(original, File.ReadAllText(console.Box.SitePath));
        await Assertions.Expect(editor).ToHaveValueAsync(original);
        hosts = await page.EvaluateAsync<string[]>("async () => (await (await fetch('/api/v1/hosts')).json()).map(h => h.name)");
        Assert.Equal(["pi1", "pi2"], hosts);

        // A phone in a server room: 360 px.
        await page.SetViewportSizeAsync(360, 740);
        await page.ReloadAsync();
        Assert.False(await Pages.OverflowsAsync(page), "/site is wider than 360 px");
        await Pages.ShotAsync(page, "site-360");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_viewer_sees_the_file_without_editing_controls_and_forged_changes_are_refused()
    {
        console.Require();
        await using var context = await console.ContextAsync();
        var page = await context.NewPageAsync();
        var errors = Pages.WatchConsole(page);
        await page.GotoAsync("/login?next=/site");
        await Pages.LoginAsync(page, "victor", ConsoleBox.Password, expectPath: "/site");

        await Pages.OpenAsync(page, "/site");
        await Assertions.Expect(page.Locator("#source")).ToContainTextAsync("pi1: { mac: 02:00:00:00:00:01");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Editing, applying and rolling back the site need the admin role.");
        foreach (var control in new[] { "#site-text", "#site-validate", "#site-review", "#site-apply", "#site-rollback", "#network-confirm" })
            Assert.Equal(0, await page.Locator(control).CountAsync());
        await Pages.AccessibleAsync(page, "site as a viewer");

        // With the session's token, every site change (and the network confirm) is refused for the role; without it,
        // for the missing token. The file stays.
        var before = File.ReadAllText(console.Box.SitePath);
        var forged = await page.EvaluateAsync<int[]>("""
            async () => {
              const csrf = document.querySelector('meta[name="csrf-token"]').content;
              const body = 'site: { name: x }\n';
              const send = (method, url, token) => fetch(url, { method, body: method === 'PUT' || url.endsWith('validate') || url.includes('diff') ? body : undefined,
                headers: token ? { 'X-CSRF-Token': csrf, 'Content-Type': 'application/yaml' } : { 'Content-Type': 'application/yaml' } }).then(r => r.status);
              const calls = [['PUT', '/api/v1/site'], ['POST', '/api/v1/site/validate'], ['POST', '/api/v1/site/diff'], ['POST', '/api/v1/site/rollback'],
                ['POST', '/api/v1/network/confirm']];
              const out = [];
              for (const [m, u] of calls) { out.push(await send(m, u, true)); out.push(await send(m, u, false)); }
              return out;
            }
            """);
        Assert.Equal(Enumerable.Repeat(403, 10), forged);
        Assert.Equal(before, File.ReadAllText(console.Box.SitePath));
        Assert.Empty(errors);
    }
}
