using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace NetbootPi.Browser.Tests;

/// <summary>What every page test checks: its headers, the console stays free of errors (a blocked inline script or
/// style would be one), an accessibility check, a screenshot for the artifacts.</summary>
internal static class Pages
{
    public const string Policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// Errors the page's console reports from now on (CSP violations among them, and the script's own), but for the
    /// line chromium writes for every 4xx answer to a fetch: the tests cause those on purpose (a forged request).
    /// </summary>
    public static List<string> WatchConsole(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource: the server responded with a status of 4", StringComparison.Ordinal))
                lock (errors) errors.Add(m.Text);
        };
        page.PageError += (_, e) => { lock (errors) errors.Add(e); };
        return errors;
    }

    /// <summary>Goes to <paramref name="path"/>; checks the answer's security headers.</summary>
    public static async Task<IResponse> OpenAsync(IPage page, string path)
    {
        var response = await page.GotoAsync(path) ?? throw new Xunit.Sdk.XunitException($"no response for {path}");
        var headers = await response.AllHeadersAsync();
        Assert.Equal(Policy, headers["content-security-policy"]);
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        Assert.Equal("no-store", headers["cache-control"]);
        return response;
    }

    /// <summary>
    /// axe-core's default rules (WCAG 2.0 and 2.1 A and AA, and its best practices: labels, names, contrast,
    /// landmarks, headings, lang) on the page as it is now: no violation at all.
    /// </summary>
    public static async Task AccessibleAsync(IPage page, string what)
    {
        var result = await page.RunAxe();
        var found = string.Join("\n", result.Violations.Select(v => $"{v.Id} ({v.Impact}): {v.Help}: {string.Join(", ", v.Nodes.Select(n => n.Html))}"));
        Assert.True(result.Violations.Length == 0, $"{what}: accessibility violations:\n{found}");
    }

    /// <summary>
    /// Tabs through the page from its start and checks that each of <paramref name="selectors"/> takes the keyboard's
    /// focus on the way (in any order), and that the focused element shows an outline.
    /// </summary>
    public static async Task KeyboardReachesAsync(IPage page, params string[] selectors)
    {
        await page.EvaluateAsync("() => document.activeElement && document.activeElement.blur()");
        var left = selectors.ToList();
        for (var i = 0; i < 40 && left.Count > 0; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            foreach (var selector in left.ToList())
                if (await page.EvaluateAsync<bool>("s => document.activeElement && document.activeElement.matches(s)", selector))
                {
                    var outline = await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle");
                    Assert.True(outline != "none", $"{selector} has the focus but shows no outline");
                    left.Remove(selector);
                }
        }
        Assert.True(left.Count == 0, $"the keyboard never reached {string.Join(", ", left)}");
    }

    /// <summary>A full-page screenshot in the artifacts folder.</summary>
    public static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleBox.Artifacts, name + ".png"), FullPage = true });

    /// <summary>Logs in through the form; waits for the page it leads to.</summary>
    public static async Task LoginAsync(IPage page, string name, string password, string? code = null, string expectPath = "/")
    {
        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByLabel("Password").FillAsync(password);
        if (code is not null) await page.GetByLabel("One-time code").FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await page.WaitForURLAsync(u => new Uri(u).PathAndQuery == expectPath);
    }

    /// <summary>Whether the page is wider than the window (it must not be: wide tables scroll in their own box).</summary>
    public static Task<bool> OverflowsAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
}
