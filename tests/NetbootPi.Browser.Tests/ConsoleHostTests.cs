using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Playwright;

namespace NetbootPi.Browser.Tests;

/// <summary>
/// The agent of <see cref="ConsoleBox"/> with a console host (<c>kvm:</c> on pi1, with a capture) and downloads
/// allowed from 127.0.0.2. This machine has no UDC of that name and no systemd: the gadget is not built and the
/// capture does not run, so the kvm endpoints answer 409 and the capture's state cannot be read, each with why; the
/// page must say so. The gadget and the capture themselves are tested in the kernel lab.
/// </summary>
public sealed class ConsoleHostBox() : ConsoleBox("""
    media: { max_size: 64M, fetch_allow: [127.0.0.2] }
    kvm: { host: pi1, udc: nosuch.usb, capture: { device: /dev/netbootpi-test-no-such-video } }
    """);

/// <summary>
/// The console host's page (<c>/console</c>) in chromium: an upload with its progress bar, an add from a URL followed
/// to its end, the keyboard's requests as the browser sends them (in order, one at a time), the agent's refusals in
/// words, a viewer's page without controls, accessibility, keyboard navigation and 360 px.
/// </summary>
public sealed class ConsoleHostTests(ConsoleHostBox console) : IClassFixture<ConsoleHostBox>
{
    private async Task<(IBrowserContext Context, IPage Page, List<string> Errors)> LoginAsync(string user, int width = 1280)
    {
        var context = await console.ContextAsync(width, 900);
        var page = await context.NewPageAsync();
        var errors = Pages.WatchConsole(page);
        await page.GotoAsync("/login?next=/console");
        await Pages.LoginAsync(page, user, ConsoleBox.Password, expectPath: "/console");
        return (context, page, errors);
    }

    [Fact]
    public async Task An_operator_uploads_an_image_and_sees_the_progress_reach_100_and_the_image_in_the_catalog()
    {
        console.Require();
        var (context, page, errors) = await LoginAsync("olive");
        await using var _ = context;
        await Pages.OpenAsync(page, "/console");

        // Every value the progress bar takes, as the page sets it.
        await page.EvaluateAsync("""
            () => {
              const bar = document.getElementById('upload-progress');
              window.seen = [];
              new MutationObserver(() => window.seen.push(bar.value)).observe(bar, { attributes: true, attributeFilter: ['value'] });
            }
            """);
        var bytes = new byte[3 << 20];
        new Random(25).NextBytes(bytes);
        await page.Locator("#upload-file").SetInputFilesAsync(new FilePayload { Name = "upload-test.img", MimeType = "application/octet-stream", Buffer = bytes });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();

        await Assertions.Expect(page.Locator("#upload-status")).ToHaveTextAsync(
            $"Added upload-test.img (3,145,728 bytes (3.0 MiB), SHA-256 {Convert.ToHexStringLower(SHA256.HashData(bytes))}).");
        await Assertions.Expect(page.Locator("#upload-progress")).ToHaveAttributeAsync("value", "100");
        var seen = await page.EvaluateAsync<double[]>("() => window.seen");
        Assert.True(seen.Length > 0 && seen[^1] == 100 && seen.Zip(seen.Skip(1)).All(p => p.First <= p.Second), $"progress went {string.Join(", ", seen)}");
        var row = page.Locator("#images tr[data-name='upload-test.img']");
        await Assertions.Expect(row).ToContainTextAsync("3,145,728 bytes (3.0 MiB)");
        await Assertions.Expect(row).ToContainTextAsync("by user:olive");
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(console.Images, "upload-test.img")));

        // Attaching it reaches the agent, which has no gadget here and says why, in words on the page.
        await page.GetByRole(AriaRole.Button, new() { Name = "Attach upload-test.img as CD-ROM" }).ClickAsync();
        await Assertions.Expect(page.Locator("#media-result")).ToContainTextAsync("attach upload-test.img as CD-ROM: the USB gadget for the console host pi1 (");
        await Assertions.Expect(page.Locator("#media-result")).ToContainTextAsync("fix it and restart the agent");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_operator_adds_an_image_from_a_url_and_follows_its_progress_to_the_catalog()
    {
        console.Require();
        await using var origin = await HeldOrigin.StartAsync();
        var bytes = new byte[4 << 20];
        new Random(26).NextBytes(bytes);
        origin.Files["fetched.img"] = bytes;
        var (context, page, errors) = await LoginAsync("olive");
        await using var _ = context;

        await page.GetByLabel("URL (http or https)").FillAsync($"{origin.Url}/files/fetched.img");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#fetch-status")).ToContainTextAsync("Downloading fetched.img");

        // The origin holds the second half back until the page has shown the first.
        var job = page.Locator("#jobs li[data-name='fetched.img']");
        await Assertions.Expect(job.Locator(".job-state")).ToHaveTextAsync("50% (2,097,152 bytes (2.0 MiB) of 4,194,304 bytes (4.0 MiB))");
        await Assertions.Expect(job.Locator("progress")).ToHaveAttributeAsync("value", "50");
        origin.Release("fetched.img");
        await Assertions.Expect(job.Locator(".job-state")).ToHaveTextAsync("added (4,194,304 bytes (4.0 MiB))");
        await Assertions.Expect(job.Locator("progress")).ToHaveAttributeAsync("value", "100");
        await Assertions.Expect(page.Locator("#images tr[data-name='fetched.img']")).ToContainTextAsync($"{origin.Url}/files/fetched.img");
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(console.Images, "fetched.img")));

        // A URL the agent does not download from is refused at once, with why.
        await page.GetByLabel("URL (http or https)").FillAsync("ftp://127.0.0.2/x.img");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#fetch-status")).ToHaveClassAsync("bad");
        await Assertions.Expect(page.Locator("#fetch-status")).ToContainTextAsync("Not added: ");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_operator_cancels_a_download_from_the_page_and_nothing_is_kept()
    {
        console.Require();
        await using var origin = await HeldOrigin.StartAsync();
        origin.Files["cancel-me.img"] = new byte[4 << 20];
        var (context, page, errors) = await LoginAsync("olive");
        await using var _ = context;

        await page.GetByLabel("URL (http or https)").FillAsync($"{origin.Url}/files/cancel-me.img");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        var job = page.Locator("#jobs li[data-name='cancel-me.img']");
        await Assertions.Expect(job.Locator(".job-state")).ToContainTextAsync("50% (");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel the download of cancel-me.img" }).ClickAsync();
        await Assertions.Expect(job.Locator(".job-state")).ToHaveTextAsync(new Regex(@"^not added: cancelled by user:olive .*nothing was kept$"));
        await Assertions.Expect(job).ToHaveClassAsync("failed");
        Assert.Equal(0, await job.Locator("button").CountAsync());
        Assert.Equal(0, await page.Locator("#images tr[data-name='cancel-me.img']").CountAsync());
        Assert.Empty(Directory.EnumerateFiles(console.Images, "cancel-me.img*", SearchOption.AllDirectories));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Keys_pressed_in_the_capture_area_and_a_paste_go_to_the_api_in_order_and_its_refusal_is_shown()
    {
        console.Require();
        var (context, page, errors) = await LoginAsync("olive");
        await using var _ = context;
        // What the browser sends to the keyboard's endpoints, and how many of them are under way at once.
        var sent = new List<(string Path, string? Body)>();
        int inFlight = 0, most = 0;
        page.Request += (_, r) =>
        {
            if (r.Method != "POST" || !r.Url.Contains("/api/v1/kvm/", StringComparison.Ordinal)) return;
            lock (sent)
            {
                sent.Add((new Uri(r.Url).AbsolutePath, r.PostData));
                most = Math.Max(most, ++inFlight);
            }
        };
        void Done(IRequest r)
        {
            if (r.Method == "POST" && r.Url.Contains("/api/v1/kvm/", StringComparison.Ordinal)) lock (sent) inFlight--;
        }
        page.RequestFinished += (_, r) => Done(r);
        page.RequestFailed += (_, r) => Done(r);

        // The page says in words why there is no keyboard: the agent's reason.
        await Assertions.Expect(page.Locator("#kvm-state")).ToContainTextAsync("The keyboard and the drive are not available: the USB gadget for the console host pi1 (");
        await Assertions.Expect(page.Locator("#drive")).ToContainTextAsync("The drive is not available: the USB gadget for the console host pi1 (");

        // Whether the browser was kept from acting on a key (its shortcuts): the area prevents the default.
        await page.EvaluateAsync("() => { window.prevented = []; document.addEventListener('keydown', e => window.prevented.push(e.code + ':' + e.defaultPrevented)); }");
        var area = page.Locator("#keys");
        await area.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#keys-mode")).ToContainTextAsync("Capturing: keys go to pi1");
        await page.Keyboard.PressAsync("Control+Alt+Delete");
        await page.Keyboard.PressAsync("Shift+KeyA");
        await page.Keyboard.PressAsync("F12");
        await page.Keyboard.PressAsync("Control+KeyL");
        await Assertions.Expect(page.Locator("#keys-last")).ToHaveTextAsync("sent: ctrl+l");
        // Ctrl+] gives the keyboard back: Tab leaves the area again.
        await page.Keyboard.PressAsync("Control+BracketRight");
        await Assertions.Expect(page.Locator("#keys-mode")).ToContainTextAsync("Keyboard capture is off");
        await page.Keyboard.PressAsync("Tab");
        Assert.False(await area.EvaluateAsync<bool>("a => a === document.activeElement"), "Tab did not leave the keyboard area once capture was off");
        var prevented = await page.EvaluateAsync<string[]>("() => window.prevented");
        Assert.Contains("Delete:true", prevented);
        Assert.Contains("KeyL:true", prevented);
        Assert.Contains("Tab:false", prevented);

        await page.GetByLabel("Paste as typing").FillAsync("echo $((6*7))\n");
        await page.GetByRole(AriaRole.Button, new() { Name = "Type it" }).ClickAsync();
        // Another layout than the site's is named in the request; the site's is not (it is the agent's default).
        await page.GetByLabel("Layout").SelectOptionAsync("de");
        await page.GetByLabel("Paste as typing").FillAsync("y");
        await page.GetByRole(AriaRole.Button, new() { Name = "Type it" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "F12 ×10 (boot menu)" }).ClickAsync();
        // A chord the browser would keep for itself (closing the tab), by name.
        await page.GetByLabel("Other chord").FillAsync("Ctrl + W");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Release all keys" }).ClickAsync();
        await Assertions.Expect(page.Locator("#kvm-result")).ToContainTextAsync("release all keys: the USB gadget for the console host pi1 (");
        await Assertions.Expect(page.Locator("#kvm-result")).ToHaveClassAsync(new Regex(@"\bbad\b"));

        string[] expected =
        [
            """/api/v1/kvm/keys {"keys":"ctrl+alt+delete","repeat":1,"delay_ms":0,"hold":false}""",
            """/api/v1/kvm/keys {"keys":"shift+a","repeat":1,"delay_ms":0,"hold":false}""",
            """/api/v1/kvm/keys {"keys":"f12","repeat":1,"delay_ms":0,"hold":false}""",
            """/api/v1/kvm/keys {"keys":"ctrl+l","repeat":1,"delay_ms":0,"hold":false}""",
            """/api/v1/kvm/type {"text":"echo $((6*7))\n"}""",
            """/api/v1/kvm/type {"text":"y","layout":"de"}""",
            """/api/v1/kvm/keys {"keys":"f12","repeat":10,"delay_ms":200,"hold":false}""",
            """/api/v1/kvm/keys {"keys":"ctrl+w","repeat":1,"delay_ms":0,"hold":false}""",
            "/api/v1/kvm/release ",
        ];
        lock (sent)
        {
            Assert.Equal(expected, sent.Select(s => $"{s.Path} {s.Body}"));
            Assert.Equal(1, most);
        }
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_screen_says_why_the_capture_does_not_run_and_a_start_says_why_it_failed()
    {
        console.Require();
        var (context, page, errors) = await LoginAsync("olive");
        await using var _ = context;
        var state = page.Locator("#capture-state");
        await Assertions.Expect(state).ToContainTextAsync("The capture's state cannot be read: ");
        await Assertions.Expect(state).ToHaveClassAsync(new Regex(@"\bbad\b"));
        Assert.Equal(0, await page.Locator("#screen").CountAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Start capture" }).ClickAsync();
        var result = page.Locator("#capture-result");
        await Assertions.Expect(result).ToContainTextAsync("the capture of pi1's screen (");
        await Assertions.Expect(result).ToContainTextAsync("cannot start: ");
        await Assertions.Expect(result).ToHaveClassAsync(new Regex(@"\bbad\b"));
        await Assertions.Expect(state).ToContainTextAsync("The capture's state cannot be read: ");
        Assert.Equal(0, await page.Locator("#screen").CountAsync());
        // The state read after the refusal is a 503 (no systemd here): chromium logs it, and nothing else.
        Assert.All(errors, e => Assert.StartsWith("Failed to load resource: the server responded with a status of 503", e));
    }

    [Fact]
    public async Task A_viewer_sees_the_console_host_without_a_control()
    {
        console.Require();
        var (context, page, errors) = await LoginAsync("victor");
        await using var _ = context;
        await Pages.OpenAsync(page, "/console");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Console host pi1", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#kvm-state")).ToContainTextAsync("the USB gadget for the console host pi1 (");
        Assert.Equal(0, await page.Locator("main button, main textarea, main select, main input, #keys").CountAsync());
        Assert.Equal(0, await page.Locator("#images th", new() { HasText = "Attach" }).CountAsync());

        // What a forged request of a viewer's page gets: 403 for its role, with the token.
        var forged = await page.EvaluateAsync<int[]>("""
            async () => {
              const csrf = document.querySelector('meta[name="csrf-token"]').content;
              const post = (url, body) => fetch(url, { method: 'POST', headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' }, body }).then(r => r.status);
              return [await post('/api/v1/kvm/keys', '{"keys":"ctrl+alt+delete"}'), await post('/api/v1/kvm/media/eject'),
                      await post('/api/v1/images/upload?name=v.img', 'x'), await post('/api/v1/capture/start')];
            }
            """);
        Assert.Equal([403, 403, 403, 403], forged);

        // An image another client adds shows on the open page, from the event stream, without a reload.
        await Assertions.Expect(page.Locator("#console-host[data-live]")).ToHaveCountAsync(1);
        var added = console.Box.Curl("POST", "/api/v1/images/upload?name=live-add.img", "-H", $"Authorization: Bearer {await console.Box.Token("operator")}",
            "-H", "Content-Type: application/octet-stream", "--data-binary", "twelve bytes");
        Assert.Equal(201, added.Status);
        await Assertions.Expect(page.Locator("#images tr[data-name='live-add.img']")).ToContainTextAsync("12 bytes");
        Assert.Equal(0, await page.Locator("#images button").CountAsync());
        await Pages.AccessibleAsync(page, "console host (viewer)");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_page_is_accessible_reached_by_keyboard_and_fits_360_px()
    {
        console.Require();
        // An image copied into the catalog by hand, so that the table has a row (with its attach buttons) whatever
        // the order the tests run in.
        Directory.CreateDirectory(console.Images);
        File.WriteAllBytes(Path.Combine(console.Images, "debian-13-netinst.iso"), new byte[1 << 20]);
        var (context, page, errors) = await LoginAsync("olive");
        await using (context)
        {
            // What the page costs once its assets are cached (the login led here and fetched them): its HTML.
            var response = await Pages.OpenAsync(page, "/console");
            var size = await response.Request.SizesAsync();
            var weight = size.ResponseHeadersSize + size.ResponseBodySize;
            TestContext.Current.SendDiagnosticMessage($"transferred: the console host's page, assets cached, {weight} bytes");
            File.WriteAllText(Path.Combine(ConsoleBox.Artifacts, "weight-console.txt"), $"console host's page, assets cached (its HTML): {weight} bytes\n");
            Assert.InRange(weight, 1, 100 * 1024);
            await Assertions.Expect(page.Locator("nav a[href='/console']")).ToHaveAttributeAsync("aria-current", "page");
            // Only this page loads its script.
            Assert.Equal(1, await page.Locator("script[src^='/assets/console-host.js?v=']").CountAsync());
            await Pages.AccessibleAsync(page, "console host");
            await Pages.KeyboardReachesAsync(page, "nav a[href='/console']", "#capture-start", "#snapshot", "#keys", "button.chord[data-keys='ctrl+alt+delete']",
                "#release", "#chord", "#paste", "#layout", "#eject", "button.attach[data-image='debian-13-netinst.iso'][data-mode=cdrom]", "#upload-file", "#fetch-url");
            await page.EvaluateAsync("() => document.activeElement && document.activeElement.blur()");
            await Pages.ShotAsync(page, "console");
            Assert.Empty(errors);
        }

        (context, page, errors) = await LoginAsync("olive", width: 360);
        await using (context)
        {
            Assert.False(await Pages.OverflowsAsync(page), "/console is wider than 360 px");
            await Pages.ShotAsync(page, "console-360");
            Assert.Empty(errors);
        }
    }

    /// <summary>
    /// A web server on 127.0.0.2 (which the site allows downloads from) serving <see cref="Files"/> at
    /// <c>/files/NAME</c>: the whole length announced, the first half sent, the rest only once the test calls
    /// <see cref="Release"/> for that name.
    /// </summary>
    private sealed class HeldOrigin : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();

        private HeldOrigin(WebApplication app) => _app = app;

        public ConcurrentDictionary<string, byte[]> Files { get; } = new();
        public string Url { get; private set; } = "";

        public static async Task<HeldOrigin> StartAsync()
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore();
            builder.WebHost.UseSockets();
            builder.WebHost.ConfigureKestrel(o => o.Listen(IPAddress.Parse("127.0.0.2"), 0));
            var app = builder.Build();
            var origin = new HeldOrigin(app);
            app.Run(origin.ServeAsync);
            await app.StartAsync();
            origin.Url = app.Urls.Single();
            return origin;
        }

        private TaskCompletionSource Gate(string name) => _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        public void Release(string name) => Gate(name).TrySetResult();

        private async Task ServeAsync(HttpContext context)
        {
            var path = context.Request.Path.Value ?? "";
            if (!path.StartsWith("/files/", StringComparison.Ordinal) || !Files.TryGetValue(path["/files/".Length..], out var file))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            context.Response.ContentLength = file.Length;
            try
            {
                await context.Response.Body.WriteAsync(file.AsMemory(0, file.Length / 2), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Gate(path["/files/".Length..]).Task.WaitAsync(context.RequestAborted);
                await context.Response.Body.WriteAsync(file.AsMemory(file.Length / 2), context.RequestAborted);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The agent hung up: a cancelled download.
            }
        }

        public async ValueTask DisposeAsync()
        {
            // A test that failed before releasing must not leave the agent's download hanging.
            foreach (var gate in _gates.Values) gate.TrySetResult();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
