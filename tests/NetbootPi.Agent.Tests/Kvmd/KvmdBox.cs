using System.Text.RegularExpressions;
using NetbootPi.Agent.Control.Accounts;
using NetbootPi.Agent.Tests.Control.Accounts;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Kvmd;

/// <summary>
/// One agent for <see cref="KvmdTests"/> (its own process, the network API on a random 127.x address): a console
/// host "pc" powered through QMP by a real qemu started stopped, whose USB gadget cannot be built here (no UDC of
/// that name) and whose capture does not run (no such device), as the Agent tier has them; downloads allowed from
/// 127.0.0.2, where <see cref="ImageOrigin"/> serves; an operator, a viewer, and an operator with TOTP. A fixture
/// cannot skip: what is missing is kept, and each test skips with it (fails under CI=true) through <see cref="Require"/>.
/// </summary>
public sealed class KvmdBox : IAsyncLifetime
{
    public const string Password = "correct horse battery staple";

    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-kvmd-").FullName;
    private string? _missing;
    private AccountAgent? _box;
    private StoppedQemu? _qemu;
    private ImageOrigin? _origin;

    internal AccountAgent Box => _box!;
    internal ImageOrigin Origin => _origin!;
    public byte[] TotpSecret { get; private set; } = [];
    public string OperatorToken { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        if (!Peers.IsRoot) { _missing = "needs root (the agent's network API binds a 127.x address and the tests read its state)"; return; }
        if (Peers.Find("curl") is null) { _missing = "curl is not installed (Debian package curl; tools/deps.sh installs it)"; return; }
        if (Peers.Find("qemu-system-x86_64") is null) { _missing = "qemu-system-x86_64 is not installed (Debian package qemu-system-x86; tools/deps.sh installs it)"; return; }
        var socket = Path.Combine(_dir, "pc.qmp");
        _qemu = await StoppedQemu.StartAsync(socket, TestContext.Current.CancellationToken);
        _origin = await ImageOrigin.StartAsync();
        _box = new AccountAgent(more: $$"""
              boot:
                interface: nbpkvmd0
                address: 10.252.0.1/24
            profiles:
              p: { local: true }
            defaults: { profile: p }
            hosts:
              pc: { mac: 52:54:00:00:00:41, ip: 10.252.0.11, power: { driver: qmp, socket: {{socket}} } }
            media: { max_size: 64M, fetch_allow: [127.0.0.2] }
            kvm: { host: pc, udc: nosuch.usb, capture: { device: /dev/netbootpi-test-no-such-video } }
            """);
        _box.Start();
        await _box.AddUser("olive", "operator", Password);
        await _box.AddUser("victor", "viewer", Password);
        await _box.AddUser("tina", "operator", Password);
        var (code, o, e) = await _box.Cli("user", "totp", "enable", "tina");
        Assert.True(code == 0, e);
        TotpSecret = Totp.FromBase32(Regex.Match(o, @"^secret: ([A-Z2-7]+)$", RegexOptions.Multiline).Groups[1].Value)!;
        // Confirmed with the last step's code, so that the code of this step is still good for a login.
        (code, _, e) = await _box.Cli("user", "totp", "confirm", "tina", Totp.Code(TotpSecret, Totp.StepOf(DateTimeOffset.UtcNow) - 1));
        Assert.True(code == 0, e);
        OperatorToken = await _box.Token("operator");
        // Logged in once each, as a browser is: a password check per request would hit the login limits (10 a
        // minute per name) and cost an Argon2 hash each.
        OperatorCookie = Login("olive");
        ViewerCookie = Login("victor");
    }

    public string OperatorCookie { get; private set; } = "";
    public string ViewerCookie { get; private set; } = "";

    private string Login(string user)
    {
        var login = _box!.Curl("POST", "/api/auth/login", "--data", $"user={user}", "--data-urlencode", $"passwd={Password}");
        Assert.True(login.Status == 200, login.Text);
        var cookie = login.Header("Set-Cookie")!;
        return cookie[..cookie.IndexOf(';')];
    }

    /// <summary>The operator's cookie and the box's own Origin, as a browser on the box's page sends a change.</summary>
    internal string[] Operator => ["-b", OperatorCookie, "-H", $"Origin: {_box!.Url}"];

    internal string[] Viewer => ["-b", ViewerCookie];

    /// <summary>Skips (fails under CI=true) when the fixture could not start what the tests need.</summary>
    public void Require()
    {
        if (_missing is not null) throw Peers.SkipOrFail(_missing);
    }

    public async ValueTask DisposeAsync()
    {
        _box?.Dispose();
        _qemu?.Dispose();
        if (_origin is not null) await _origin.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
