using System.Diagnostics;
using System.Text.Json;
using NetbootPi.Agent.Tests.Control.Accounts;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Redfish;

/// <summary>
/// The Redfish service against the agent as its own process, with real clients from Debian: curl for the protocol's
/// details (auth forms, error shapes, sessions), DMTF's redfishtool and Ironic's sushy (what Metal3 drives BMCs with)
/// for power. The host "vm" is a real qemu (started stopped, -S) behind its QMP socket; "wake" has Wake-on-LAN (only
/// read here: nothing is sent); "plain" has no power and is no system. The VM is killed on every path.
/// </summary>
public sealed class RedfishTests : IDisposable
{
    private const string Password = "correct horse battery staple";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-redfish-").FullName;
    private readonly AccountAgent _box;
    private StoppedQemu? _qemu;

    public RedfishTests()
    {
        _box = new AccountAgent(more: $$"""
              boot:
                interface: nbprf0
                address: 10.251.0.1/24
            profiles:
              p: { local: true, pxe: rescue }
              rescue: { kernel: rescue/vmlinuz }
              bare: { local: true }
            defaults: { profile: p }
            hosts:
              vm: { mac: 52:54:00:00:00:31, ip: 10.251.0.11, power: { driver: qmp, socket: {{Socket}} } }
              wake: { mac: 52:54:00:00:00:32, ip: 10.251.0.12, profile: bare, power: { driver: wol } }
              plain: { mac: 52:54:00:00:00:33, ip: 10.251.0.13 }
            """);
    }

    private string Socket => Path.Combine(_dir, "vm.qmp");

    private async Task StartAsync()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        _qemu = await StoppedQemu.StartAsync(Socket, Ct);
        _box.Start();
        await _box.AddUser("olive", "operator", Password);
        await _box.AddUser("victor", "viewer", Password);
    }

    private static string Basic(string user) => "Authorization: Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{Password}"));

    private static JsonElement Json(CurlResult r) => JsonDocument.Parse(r.Text).RootElement;

    private static (string Code, string Message) Error(CurlResult r)
    {
        var e = Json(r).GetProperty("error");
        Assert.Equal(e.GetProperty("code").GetString(), e.GetProperty("@Message.ExtendedInfo")[0].GetProperty("MessageId").GetString());
        return (e.GetProperty("code").GetString()!, e.GetProperty("message").GetString()!);
    }

    [Fact]
    public async Task Systems_reset_and_sessions_answer_as_Redfish_says_with_its_errors()
    {
        await StartAsync();
        // The service root is open to anyone (DSP0266 §13.3.1), with a trailing slash too; the rest needs credentials.
        var root = _box.Curl("GET", "/redfish/v1/");
        Assert.Equal((200, "4.0"), (root.Status, root.Header("OData-Version")));
        Assert.Equal("/redfish/v1/Systems", Json(root).GetProperty("Systems").GetProperty("@odata.id").GetString());
        var anonymous = _box.Curl("GET", "/redfish/v1/Systems");
        Assert.Equal((401, "Basic realm=\"netbootpi\""), (anonymous.Status, anonymous.Header("WWW-Authenticate")));
        Assert.Equal("Base.1.8.NoValidSession", Error(anonymous).Code);

        var systems = Json(_box.Curl("GET", "/redfish/v1/Systems", "-H", Basic("victor")));
        Assert.Equal(["/redfish/v1/Systems/vm", "/redfish/v1/Systems/wake"],
            systems.GetProperty("Members").EnumerateArray().Select(m => m.GetProperty("@odata.id").GetString()));
        Assert.Equal(2, systems.GetProperty("Members@odata.count").GetInt32());
        var vm = Json(_box.Curl("GET", "/redfish/v1/Systems/vm", "-H", Basic("victor")));
        Assert.Equal("Off", vm.GetProperty("PowerState").GetString());
        var reset = vm.GetProperty("Actions").GetProperty("#ComputerSystem.Reset");
        Assert.Equal("/redfish/v1/Systems/vm/Actions/ComputerSystem.Reset", reset.GetProperty("target").GetString());
        Assert.Equal(["On", "ForceOff", "GracefulShutdown", "ForceRestart", "PowerCycle"],
            reset.GetProperty("ResetType@Redfish.AllowableValues").EnumerateArray().Select(v => v.GetString()));
        var wake = Json(_box.Curl("GET", "/redfish/v1/Systems/wake", "-H", Basic("victor")));
        Assert.Equal(JsonValueKind.Null, wake.GetProperty("PowerState").ValueKind);
        Assert.Equal(["On"], wake.GetProperty("Actions").GetProperty("#ComputerSystem.Reset").GetProperty("ResetType@Redfish.AllowableValues").EnumerateArray().Select(v => v.GetString()));
        var plain = _box.Curl("GET", "/redfish/v1/Systems/plain", "-H", Basic("victor"));
        // A client that polls with Basic sends the password with every request: past the login limit (10 a minute
        // per name), it still gets in, while a wrong password is still a failed login.
        for (var i = 0; i < 12; i++) Assert.Equal(200, _box.Curl("GET", "/redfish/v1/Systems/vm", "-H", Basic("victor")).Status);
        Assert.Equal(401, _box.Curl("GET", "/redfish/v1/Systems/vm", "-H", "Authorization: Basic " + Convert.ToBase64String("victor:wrong password"u8)).Status);
        Assert.Equal((404, "Base.1.8.ResourceMissingAtURI"), (plain.Status, Error(plain).Code));

        // A viewer may not act; a ResetType the wiring cannot do is refused with those it can.
        const string target = "/redfish/v1/Systems/vm/Actions/ComputerSystem.Reset";
        var viewer = _box.Curl("POST", target, "-H", Basic("victor"), "--json", """{"ResetType": "On"}""");
        Assert.Equal((403, "Base.1.8.InsufficientPrivilege"), (viewer.Status, Error(viewer).Code));
        var nmi = _box.Curl("POST", "/redfish/v1/Systems/wake/Actions/ComputerSystem.Reset", "-H", Basic("olive"), "--json", """{"ResetType": "ForceOff"}""");
        Assert.Equal((400, ("Base.1.8.ActionParameterNotSupported", "ResetType 'ForceOff' is not one host wake's wiring (wol) can do: On")), (nmi.Status, Error(nmi)));
        var broken = _box.Curl("POST", target, "-H", Basic("olive"), "--json", """{"ResetType": """);
        Assert.Equal((400, "Base.1.8.MalformedJSON"), (broken.Status, Error(broken).Code));

        // The boot override: Pxe once where the host has a network boot to give (vm: its disk profile's pxe:), not
        // where it has none (wake: a disk without pxe:); what cannot be set is refused by name, nothing half-set.
        var boot = vm.GetProperty("Boot");
        Assert.Equal(("Disabled", "None"), (boot.GetProperty("BootSourceOverrideEnabled").GetString(), boot.GetProperty("BootSourceOverrideTarget").GetString()));
        Assert.Equal(["None", "Pxe"], boot.GetProperty("BootSourceOverrideTarget@Redfish.AllowableValues").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["None"], wake.GetProperty("Boot").GetProperty("BootSourceOverrideTarget@Redfish.AllowableValues").EnumerateArray().Select(v => v.GetString()));
        const string Pxe = """{"Boot": {"BootSourceOverrideTarget": "Pxe", "BootSourceOverrideEnabled": "Once"}}""";
        var patchedByViewer = _box.Curl("PATCH", "/redfish/v1/Systems/vm", "-H", Basic("victor"), "--json", Pxe);
        Assert.Equal((403, "Base.1.8.InsufficientPrivilege"), (patchedByViewer.Status, Error(patchedByViewer).Code));
        foreach (var (body, code, message) in new[]
        {
            ("""{"Boot": {"BootSourceOverrideTarget": "Hdd", "BootSourceOverrideEnabled": "Once"}}""", "PropertyValueNotInList",
                "BootSourceOverrideTarget 'Hdd' is not one host vm can take (Pxe, None): the box serves network boots, it cannot choose a host's disk or CD"),
            ("""{"Boot": {"BootSourceOverrideTarget": "Pxe", "BootSourceOverrideEnabled": "Continuous"}}""", "PropertyValueNotInList",
                "BootSourceOverrideEnabled Continuous is not taken: a lasting network boot is the host's profile in the site file; Once or Disabled"),
            ("""{"Boot": {"BootSourceOverrideTarget": "Pxe", "BootSourceOverrideMode": "UEFI"}}""", "PropertyNotWritable",
                "Boot/BootSourceOverrideMode: only Boot/BootSourceOverrideTarget and Boot/BootSourceOverrideEnabled can be changed on vm (the box cannot set a host's firmware boot mode or order)"),
            ("""{"AssetTag": "x"}""", "PropertyNotWritable",
                "AssetTag: only Boot/BootSourceOverrideTarget and Boot/BootSourceOverrideEnabled can be changed on vm (the box cannot set a host's firmware boot mode or order)"),
        })
        {
            var refused = _box.Curl("PATCH", "/redfish/v1/Systems/vm", "-H", Basic("olive"), "--json", body);
            Assert.Equal((400, ("Base.1.8." + code, message)), (refused.Status, Error(refused)));
        }
        var noPxe = _box.Curl("PATCH", "/redfish/v1/Systems/wake", "-H", Basic("olive"), "--json", Pxe);
        Assert.Equal((400, ("Base.1.8.PropertyValueNotInList", "BootSourceOverrideTarget Pxe: host wake boots its local disk (profile bare) and that profile names no network boot (add pxe: PROFILE to profiles.bare)")),
            (noPxe.Status, Error(noPxe)));
        Assert.Equal("None", Json(_box.Curl("GET", "/redfish/v1/Systems/vm", "-H", Basic("victor"))).GetProperty("Boot").GetProperty("BootSourceOverrideTarget").GetString());
        Assert.Equal(204, _box.Curl("PATCH", "/redfish/v1/Systems/vm", "-H", Basic("olive"), "--json", Pxe).Status);
        boot = Json(_box.Curl("GET", "/redfish/v1/Systems/vm", "-H", Basic("victor"))).GetProperty("Boot");
        Assert.Equal(("Once", "Pxe"), (boot.GetProperty("BootSourceOverrideEnabled").GetString(), boot.GetProperty("BootSourceOverrideTarget").GetString()));
        // The native API and the CLI see the same override.
        var (_, shown, _) = await _box.Cli("next-boot", "vm");
        Assert.StartsWith("vm: next boot over the network, once: profile rescue (set by user:olive at ", shown, StringComparison.Ordinal);
        Assert.Equal(204, _box.Curl("PATCH", "/redfish/v1/Systems/vm", "-H", Basic("olive"), "--json", """{"Boot": {"BootSourceOverrideEnabled": "Disabled"}}""").Status);
        (_, shown, _) = await _box.Cli("next-boot", "vm");
        Assert.Equal("vm: no one-time boot set; `netbootpi next-boot vm pxe` would serve profile rescue once\n", shown);
        var (noCode, _, noErr) = await _box.Cli("next-boot", "wake", "pxe");
        Assert.Equal((1, "netbootpi: the agent refused: host wake boots its local disk (profile bare) and that profile names no network boot (add pxe: PROFILE to profiles.bare)\n"), (noCode, noErr));

        // A session: its token in X-Auth-Token, its URI in Location; it acts as the user, and ends when deleted.
        var login = _box.Curl("POST", "/redfish/v1/SessionService/Sessions", "--json", $$"""{"UserName": "olive", "Password": "{{Password}}"}""");
        Assert.Equal(201, login.Status);
        var token = login.Header("X-Auth-Token")!;
        var location = login.Header("Location")!;
        Assert.Matches("^/redfish/v1/SessionService/Sessions/[0-9a-f]{16}$", location);
        Assert.Equal("olive", Json(login).GetProperty("UserName").GetString());
        Assert.DoesNotContain(token, login.Text);
        var on = _box.Curl("POST", target, "-H", $"X-Auth-Token: {token}", "--json", """{"ResetType": "On"}""");
        Assert.Equal(204, on.Status);
        Assert.Equal("On", Json(_box.Curl("GET", "/redfish/v1/Systems/vm", "-H", $"X-Auth-Token: {token}")).GetProperty("PowerState").GetString());
        var wrong = _box.Curl("POST", "/redfish/v1/SessionService/Sessions", "--json", """{"UserName": "olive", "Password": "nope"}""");
        Assert.Equal((401, "wrong name, password or TOTP code"), (wrong.Status, Error(wrong).Message));
        Assert.Equal(204, _box.Curl("DELETE", location, "-H", $"X-Auth-Token: {token}").Status);
        Assert.Equal(401, _box.Curl("GET", "/redfish/v1/Systems", "-H", $"X-Auth-Token: {token}").Status);

        // Each action is the power service's: a boot event of the host with who, and an audit line (the agent's
        // output reaches the test a moment after the request's answer: waited for, bounded).
        _box.Process.WaitFor(l => l.Contains("control: user olive (from ", StringComparison.Ordinal) && l.Contains("asks POST /redfish/v1/Systems/vm/Actions/ComputerSystem.Reset", StringComparison.Ordinal),
            0, "the audit line of olive's reset");
        var (_, list, _) = await _box.Cli("events", "vm", "--config", _box.SitePath);
        Assert.Contains("user:olive", list);
        Assert.Contains("on: on (was prelaunch, now running)", list);
        Assert.Contains("next boot: network once, profile rescue", list);
        Assert.Contains("next boot: override cleared, its profile as the site says", list);
        Assert.DoesNotContain(Password, _box.Process.Output);
    }

    [Fact]
    public async Task Redfishtool_and_sushy_read_the_systems_and_reset_the_VM()
    {
        await StartAsync();
        var redfishtool = Peers.Require("redfishtool", "redfishtool");
        // Debian's python, whose packages (python3-sushy) tools/deps.sh installs, whatever else is first on PATH.
        const string python = "/usr/bin/python3";
        if (!File.Exists(python)) throw Peers.SkipOrFail("/usr/bin/python3 is not installed (Debian package python3)");
        var rhost = $"{_box.Address}:{AccountAgent.HttpsPort}";

        // redfishtool, DMTF's client: Basic auth over https (it does not check the certificate).
        var (code, o, e) = await Run(redfishtool, "-r", rhost, "-S", "Always", "-u", "olive", "-p", Password, "Systems", "-I", "vm", "reset", "On");
        Assert.True(code == 0, $"redfishtool reset: {o}{e}");
        var (_, state, _) = await Run(redfishtool, "-r", rhost, "-S", "Always", "-u", "victor", "-p", Password, "-P", "PowerState", "Systems", "-I", "vm", "get");
        Assert.Contains("\"PowerState\": \"On\"", state);
        (code, o, e) = await Run(redfishtool, "-r", rhost, "-S", "Always", "-A", "Session", "-u", "olive", "-p", Password, "Systems", "-I", "vm", "reset", "ForceRestart");
        Assert.True(code == 0, $"redfishtool reset with a session: {o}{e}");

        // redfishtool's setBootOverride (it reads Boot and its allowable values first, then PATCHes), with Basic (a
        // request each, the same password: no login limit in the way) and with a session.
        (code, o, e) = await Run(redfishtool, "-r", rhost, "-S", "Always", "-u", "olive", "-p", Password, "Systems", "-I", "vm", "setBootOverride", "Once", "Pxe");
        Assert.True(code == 0, $"redfishtool setBootOverride: {o}{e}");
        Assert.Contains("\"BootSourceOverrideTarget\": \"Pxe\"", o);
        (code, o, e) = await Run(redfishtool, "-r", rhost, "-S", "Always", "-A", "Session", "-u", "olive", "-p", Password, "Systems", "-I", "vm", "setBootOverride", "Disabled");
        Assert.True(code == 0, $"redfishtool setBootOverride Disabled: {o}{e}");
        Assert.Contains("\"BootSourceOverrideTarget\": \"None\"", o);

        // sushy, as Ironic and Metal3 drive a BMC: it checks the box's own certificate.
        var script = Path.Combine(_dir, "sushy-test.py");
        File.WriteAllText(script, """
            import sys, sushy
            root = sushy.Sushy(sys.argv[1] + "/redfish/v1", username="olive", password=sys.argv[2], verify=sys.argv[3])
            systems = root.get_system_collection()
            print("members:", sorted(m.split("/")[-1] for m in systems.members_identities))
            vm = root.get_system("/redfish/v1/Systems/vm")
            print("power:", vm.power_state.value)
            print("resets:", sorted(v.value for v in vm.get_allowed_reset_system_values()))
            vm.reset_system(sushy.RESET_FORCE_OFF)
            vm.refresh()
            print("after force off:", vm.power_state.value)
            print("boot targets:", sorted(v.value for v in vm.get_allowed_system_boot_source_values()))
            vm.set_system_boot_options(sushy.BootSource.PXE, enabled=sushy.BootSourceOverrideEnabled.ONCE)
            vm.refresh()
            print("boot:", vm.boot.target.value, vm.boot.enabled.value)
            wake = root.get_system("/redfish/v1/Systems/wake")
            print("wake resets:", sorted(v.value for v in wake.get_allowed_reset_system_values()))
            try:
                wake.reset_system(sushy.RESET_FORCE_OFF)
                print("wake: ForceOff sent")
            except sushy.exceptions.InvalidParameterValueError:
                print("wake: ForceOff refused by sushy from the allowed values")
            """);
        (code, o, e) = await Run(python, script, _box.Url, Password, _box.CertificatePath);
        Assert.True(code == 0, $"sushy: {o}{e}");
        Assert.Equal("""
            members: ['vm', 'wake']
            power: On
            resets: ['ForceOff', 'ForceRestart', 'GracefulShutdown', 'On', 'PowerCycle']
            after force off: Off
            boot targets: ['None', 'Pxe']
            boot: Pxe Once
            wake resets: ['On']
            wake: ForceOff refused by sushy from the allowed values

            """.Replace("\r", ""), o);
    }

    private static async Task<(int Code, string Out, string Err)> Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // requests lets these override a session's own verify= (psf/requests#3829): sushy would then check the box's
        // certificate against the system's CAs instead of the file it was given.
        psi.Environment.Remove("REQUESTS_CA_BUNDLE");
        psi.Environment.Remove("CURL_CA_BUNDLE");
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync(Ct);
        var e = p.StandardError.ReadToEndAsync(Ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }
        return (p.ExitCode, await o, await e);
    }

    public void Dispose()
    {
        _qemu?.Dispose();
        _box.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
