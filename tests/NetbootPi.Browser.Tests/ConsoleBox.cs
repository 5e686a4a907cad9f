using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NetbootPi.Agent.Control.Accounts;
using NetbootPi.Agent.Tests.Control.Accounts;

namespace NetbootPi.Browser.Tests;

/// <summary>
/// One agent (its own process, the network API on a random 127.x address, as the Agent tests start it) with a site
/// of two hosts, three accounts (an admin with TOTP, an operator, a viewer), and Debian's chromium driven by
/// Playwright, shared by the tests of a class. A fixture cannot skip: what is missing is kept, and each test
/// skips with it (fails under CI=true) through <see cref="Require"/>.
/// </summary>
public class ConsoleBox : IAsyncLifetime
{
    private readonly string _more;

    public ConsoleBox() : this("") { }

    /// <param name="more">More top-level sections of the site, after its hosts (kvm:, media:).</param>
    protected ConsoleBox(string more) => _more = more;

    /// <summary>Debian's chromium; <c>NETBOOTPI_CHROMIUM</c> names another build of it (never one Playwright downloads).</summary>
    public static string Chromium { get; } = Environment.GetEnvironmentVariable("NETBOOTPI_CHROMIUM") is { Length: > 0 } other ? other : "/usr/bin/chromium";
    public const string Password = "correct horse battery";
    public const string HostMac = "02:00:00:00:00:01";

    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-browser-").FullName;
    private string? _missing;
    private AccountAgent? _box;
    private IPlaywright? _playwright;

    internal AccountAgent Box => _box!;
    public IBrowser Browser { get; private set; } = null!;
    public byte[] AdminSecret { get; private set; } = [];
    public string BootHttp { get; private set; } = "";

    /// <summary>The agent's image catalog (<c>DATA_DIR/images</c>).</summary>
    public string Images => Path.Combine(Path.GetDirectoryName(Box.SitePath)!, "data", "images");

    /// <summary>Screenshots of each page: <c>browser-artifacts/</c> beside the test assembly (docs/testing.md).</summary>
    public static string Artifacts { get; } = Path.Combine(AppContext.BaseDirectory, "browser-artifacts");

    public async ValueTask InitializeAsync()
    {
        if (!Peers.IsRoot) { _missing = "needs root (the agent's network API binds a 127.x address and the tests read its state)"; return; }
        if (!File.Exists(Chromium)) { _missing = $"{Chromium} is not installed (Debian package chromium; tools/deps.sh installs it)"; return; }
        if (Peers.Find("curl") is null) { _missing = "curl is not installed (Debian package curl; tools/deps.sh installs it)"; return; }
        Directory.CreateDirectory(Artifacts);
        // pi1 has power wiring (a qemu QMP socket nobody listens on: it reads as off, and acting on it is refused
        // without sending anything anywhere); pi2 has none.
        _box = new AccountAgent(more: $$"""
              boot:
                interface: nbpweb0
                address: 10.250.0.1/24
            profiles:
              p: { local: true }
            defaults: { profile: p }
            hosts:
              pi1: { mac: {{HostMac}}, ip: 10.250.0.11, power: { driver: qmp, socket: {{_dir}}/pi1.qmp } }
              pi2: { mac: 02:00:00:00:00:02, ip: 10.250.0.12 }
            {{_more}}
            """);
        var agent = _box.Start(environment: await EnvironmentAsync());
        BootHttp = Regex.Match(agent.WaitFor("http listening on "), @"http://127\.0\.0\.1:\d+").Value;
        await _box.AddUser("alice", "admin", Password);
        await _box.AddUser("olive", "operator", Password);
        await _box.AddUser("victor", "viewer", Password);
        var (code, o, e) = await _box.Cli("user", "totp", "enable", "alice");
        Assert.True(code == 0, e);
        AdminSecret = Totp.FromBase32(Regex.Match(o, @"^secret: ([A-Z2-7]+)$", RegexOptions.Multiline).Groups[1].Value)!;
        (code, _, e) = await _box.Cli("user", "totp", "confirm", "alice", Totp.Code(AdminSecret, Totp.StepOf(DateTimeOffset.UtcNow)));
        Assert.True(code == 0, e);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // As root chromium refuses its sandbox; the pages it opens are this test's own agent's.
            Args = ["--no-sandbox"],
        });
    }

    /// <summary>More of the agent's environment, made before it starts (a box of a test class's own: its systemd's bus).</summary>
    protected virtual Task<IReadOnlyDictionary<string, string>?> EnvironmentAsync() => Task.FromResult<IReadOnlyDictionary<string, string>?>(null);

    /// <summary>Skips the test when something it needs is missing (fails it under CI=true).</summary>
    public void Require()
    {
        if (_missing is not null) Peers.SkipOrFail(_missing);
    }

    /// <summary>
    /// A fresh browser context (its own cookies and cache) on the agent's URL. The agent's certificate is
    /// self-signed: the context does not check it (curl --cacert checks it in NetworkApiTests; here the pages are
    /// under test).
    /// </summary>
    public Task<IBrowserContext> ContextAsync(int width = 1280, int height = 900) => Browser.NewContextAsync(new BrowserNewContextOptions
    {
        BaseURL = Box.Url,
        IgnoreHTTPSErrors = true,
        ViewportSize = new ViewportSize { Width = width, Height = height },
    });

    /// <summary>The TOTP code of the admin's next step (the one of now was used to confirm the enrolment; a code counts once).</summary>
    public string NextAdminCode() => Totp.Code(AdminSecret, Totp.StepOf(DateTimeOffset.UtcNow) + 1);

    public virtual async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        _box?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
