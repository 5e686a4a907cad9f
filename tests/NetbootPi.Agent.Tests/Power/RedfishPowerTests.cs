using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Events;

namespace NetbootPi.Agent.Tests.Power;

/// <summary><c>netbootpi power</c> on a host with <c>driver: redfish</c>, against <see cref="RedfishBmc"/> over HTTPS.</summary>
public sealed class RedfishPowerTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-redfish-").FullName;

    private string Site(string power, string secrets = "ilo: { username: admin, password: s3cret-pw }\n")
    {
        var path = Path.Combine(_dir, "site.yaml");
        File.WriteAllText(path, $$"""
            site: { name: lab, domain: lab.internal }
            server: { state_dir: {{Path.Combine(_dir, "state")}} }
            networks:
              lan: { interface: eth0, address: 10.9.0.1/24 }
            profiles:
              p: { local: true }
            defaults: { profile: p }
            hosts:
              ilo: { mac: 52:54:00:00:00:03, ip: 10.9.0.12, power: {{power}} }
            """);
        var secretsPath = Path.Combine(_dir, "power-secrets.yaml");
        File.WriteAllText(secretsPath, secrets);
        File.SetUnixFileMode(secretsPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    private static async Task<(int, string, string)> Cli(params string[] args)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        var code = await CommandLine.RunAsync(args, o, e, Ct);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public async Task A_pinned_BMC_is_powered_through_the_Reset_action_and_its_PowerState_read_back()
    {
        await using var bmc = await RedfishBmc.StartAsync("admin", "s3cret-pw", Ct);
        var site = Site($"{{ driver: redfish, url: {bmc.Url}, fingerprint: \"{bmc.Fingerprint}\" }}");
        Assert.Equal((0, "ilo: off (the BMC says)\n", ""), await Cli("power", "--direct", "ilo", "status", "--config", site));
        Assert.Equal((0, "ilo: ResetType On: now on\n", ""), await Cli("power", "--direct", "ilo", "on", "--config", site));
        Assert.Equal((0, "ilo: already on (the BMC says)\n", ""), await Cli("power", "--direct", "ilo", "on", "--config", site));
        Assert.Equal((0, "ilo: ResetType ForceRestart: now on\n", ""), await Cli("power", "--direct", "ilo", "reset", "--config", site));
        Assert.Equal((0, "ilo: ResetType PowerCycle: now on\n", ""), await Cli("power", "--direct", "ilo", "cycle", "--config", site));
        Assert.Equal((0, "ilo: ResetType GracefulShutdown: now off\n", ""), await Cli("power", "--direct", "ilo", "off", "--config", site));
        bmc.PowerState = "On";
        Assert.Equal((0, "ilo: ResetType ForceOff: now off\n", ""), await Cli("power", "--direct", "ilo", "off", "--force", "--config", site));
        Assert.Equal(["On", "ForceRestart", "PowerCycle", "GracefulShutdown", "ForceOff"], bmc.Resets);
        Assert.Equal(2, bmc.Restarts);
        var events = BootEventLog.ReadFiles(Path.Combine(_dir, "state")).Where(e => e.Kind == BootEventKind.Power).Select(e => e.Path).ToList();
        Assert.Equal(6, events.Count);
        Assert.DoesNotContain(events, e => e.Contains("s3cret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Another_certificate_than_the_pinned_one_is_refused_and_insecure_accepts_any()
    {
        await using var bmc = await RedfishBmc.StartAsync("admin", "s3cret-pw", Ct);
        var wrong = new string('A', 64);
        var (code, stdout, stderr) = await Cli("power", "--direct", "ilo", "status", "--config", Site($"{{ driver: redfish, url: {bmc.Url}, fingerprint: \"{wrong}\" }}"));
        Assert.Equal((1, ""), (code, stdout));
        Assert.StartsWith($"netbootpi: power status ilo: cannot reach the Redfish service at {bmc.Url}/: ", stderr, StringComparison.Ordinal);
        Assert.Contains("the certificate is not the pinned one", stderr, StringComparison.Ordinal);
        // Without a pin or insecure, the system's CAs decide: a self-signed certificate is refused.
        Assert.Equal(1, (await Cli("power", "--direct", "ilo", "status", "--config", Site($"{{ driver: redfish, url: {bmc.Url} }}"))).Item1);
        Assert.Equal((0, "ilo: off (the BMC says)\n", ""), await Cli("power", "--direct", "ilo", "status", "--config", Site($"{{ driver: redfish, url: {bmc.Url}, insecure: true, system: {RedfishBmc.SystemId} }}")));
    }

    [Fact]
    public async Task A_wrong_password_and_a_refused_action_say_what_the_BMC_said()
    {
        await using var bmc = await RedfishBmc.StartAsync("admin", "s3cret-pw", Ct);
        var power = $"{{ driver: redfish, url: {bmc.Url}, insecure: true }}";
        var (code, _, stderr) = await Cli("power", "--direct", "ilo", "on", "--config", Site(power, "ilo: { username: admin, password: wrong-pw }\n"));
        Assert.Equal(1, code);
        Assert.Equal($"netbootpi: power on ilo: GET {bmc.Url}/redfish/v1/Systems: 401 Unauthorized: There is no valid session established with the implementation. (check the account in power-secrets.yaml)\n", stderr);
        Assert.DoesNotContain("wrong-pw", stderr, StringComparison.Ordinal);
        // ForceRestart on a host that is off: the BMC's 409 and its message.
        (code, _, stderr) = await Cli("power", "--direct", "ilo", "reset", "--config", Site(power));
        Assert.Equal((1, "netbootpi: power reset ilo: the BMC refused ResetType ForceRestart: 409 Conflict: ResetType ForceRestart conflicts with PowerState Off.\n"), (code, stderr));
        Assert.Empty(bmc.Resets);
    }

    [Fact]
    public void The_site_refuses_credentials_in_the_URL_a_bad_fingerprint_and_both_pin_and_insecure()
    {
        var site = Site("{ driver: redfish, url: \"https://admin:pw@10.9.0.12\" }");
        var errors = NetbootPi.Agent.Site.SiteFile.Load(site).Errors.Select(e => e.Message).ToList();
        Assert.Equal(["'https://admin:pw@10.9.0.12' is not the BMC's base URL (expected https://HOST or https://HOST:PORT; credentials go in power-secrets.yaml, never here)"], errors);
        site = Site("{ driver: redfish, url: https://10.9.0.12, fingerprint: ab:cd, insecure: true }");
        Assert.Equal(["'ab:cd' is not a SHA-256 fingerprint (expected 32 hex pairs, as 'openssl x509 -noout -fingerprint -sha256' prints them)"],
            NetbootPi.Agent.Site.SiteFile.Load(site).Errors.Select(e => e.Message));
        site = Site($"{{ driver: redfish, url: https://10.9.0.12, fingerprint: \"{new string('a', 64)}\", insecure: true }}");
        Assert.Equal(["insecure: true with a fingerprint (expected one of them: the fingerprint pins the certificate, insecure trusts any)"],
            NetbootPi.Agent.Site.SiteFile.Load(site).Errors.Select(e => e.Message));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
