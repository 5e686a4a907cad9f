using System.Diagnostics;
using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Control.Accounts;

/// <summary>
/// The CLI against a box's network API (<c>--url</c>, <c>--token</c>) instead of the socket: the agent as its own
/// process on a 127.x management address, its self-signed certificate trusted by file or by fingerprint, and refused
/// otherwise with a sentence.
/// </summary>
public sealed class RemoteCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-remote-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Vm => Path.Combine(_dir, "vm.qmp");

    private AccountAgent Box() => new(more: $$"""
          lan: { interface: eth0, address: 10.0.0.1/24 }
        profiles:
          p: { local: true }
        defaults: { profile: p }
        hosts:
          a: { mac: 00:00:00:00:00:01, ip: 10.0.0.10, power: { driver: qmp, socket: {{Vm}} } }
        """);

    /// <summary>The CLI in this process with a socket where no agent is: whatever answers came over HTTPS.</summary>
    private async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await CommandLine.RunAsync([.. args, "--socket", Path.Combine(_dir, "nobody.sock")], o, e, TestContext.Current.CancellationToken);
        return (code, o.ToString(), e.ToString());
    }

    private static async Task<string> Fingerprint(string pem)
    {
        var (_, fp, _) = await Tool.RunAsync(Peers.Require("openssl", "openssl"), ["x509", "-in", pem, "-noout", "-fingerprint", "-sha256"], TestContext.Current.CancellationToken);
        return fp.Trim().Split('=')[1];
    }

    [Fact]
    public async Task Power_and_status_of_a_remote_box_with_a_token_and_its_certificate_trusted_by_file_or_fingerprint()
    {
        Peers.RequireRoot();
        using var box = Box();
        var agent = box.Start();
        var operatorToken = await box.Token("operator");
        var viewerToken = await box.Token("viewer");
        var fingerprint = await Fingerprint(box.CertificatePath);

        var (code, o, e) = await Cli("power", "a", "status", "--url", box.Url, "--token", operatorToken, "--cacert", box.CertificatePath);
        Assert.Equal((0, ""), (code, e));
        Assert.StartsWith($"a: off: no qemu listens on {Vm}", o);
        // An action: the agent's refusal to power on a VM that is not there, through its wiring, a boot event of the token.
        (code, _, e) = await Cli("power", "a", "on", "--url", box.Url, "--token", operatorToken, "--fingerprint", fingerprint.ToLowerInvariant());
        Assert.Equal(1, code);
        Assert.StartsWith($"netbootpi: power on a: no qemu listens on {Vm}", e);
        agent.WaitFor(l => l.Contains("control: token ") && l.Contains(" ('operator token' from 127.0.0.1, operator) asks POST /api/v1/power"), 0, "the audit line of the remote power action");

        (code, o, e) = await Cli("status", "--url", box.Url, "--token", viewerToken, "--fingerprint", fingerprint);
        Assert.Equal((0, ""), (code, e));
        Assert.StartsWith("netbootpi ", o);
        Assert.Contains($"\napi:    {box.Url}/ certificate SHA-256 {fingerprint}\n", o);
        (code, _, e) = await Cli("power", "a", "on", "--url", box.Url, "--token", viewerToken, "--fingerprint", fingerprint);
        Assert.Equal(1, code);
        Assert.Matches(@"^netbootpi: the agent refused: POST /api/v1/power needs the operator role; token [0-9a-f]{12} \('viewer token' from 127\.0\.0\.1\) has the viewer role\n$", e);
        (code, _, e) = await Cli("user", "list", "--url", box.Url, "--token", operatorToken, "--fingerprint", fingerprint);
        Assert.Equal((1, "netbootpi: the agent refused: GET /api/v1/users needs the admin role"), (code, e[..e.IndexOf(';')]));
        (code, _, e) = await Cli("status", "--url", box.Url, "--token", "nbp_" + new string('x', 43), "--fingerprint", fingerprint);
        Assert.Equal((1, "netbootpi: the agent refused: the token is not one the box knows, or it was revoked\n"), (code, e));

        // NETBOOTPI_URL and NETBOOTPI_TOKEN instead of the options: the built CLI with them in its environment.
        var psi = new ProcessStartInfo(AgentProcess.Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["recovery", "--cacert", box.CertificatePath, "--socket", Path.Combine(_dir, "nobody.sock")]) psi.ArgumentList.Add(a);
        psi.Environment["NETBOOTPI_URL"] = box.Url;
        psi.Environment["NETBOOTPI_TOKEN"] = viewerToken;
        using (var p = Process.Start(psi)!)
        {
            var ct = TestContext.Current.CancellationToken;
            var stdout = p.StandardOutput.ReadToEndAsync(ct);
            var stderr = p.StandardError.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct);
            Assert.Equal((0, "no host asks for recovery (recovery: on a profile or a host; docs/power.md)\n", ""), (p.ExitCode, await stdout, await stderr));
        }
        Assert.DoesNotContain(operatorToken[4..], agent.Output);
        Assert.DoesNotContain(viewerToken[4..], agent.Output);
    }

    [Fact]
    public async Task A_certificate_that_is_not_the_one_trusted_is_refused_with_a_sentence_and_nothing_is_sent()
    {
        Peers.RequireRoot();
        var openssl = Peers.Require("openssl", "openssl");
        using var box = Box();
        var agent = box.Start();
        var token = await box.Token("admin");
        var fingerprint = await Fingerprint(box.CertificatePath);
        var host = box.Url["https://".Length..];

        var wrong = "00:" + fingerprint[3..];
        var (code, o, e) = await Cli("power", "a", "on", "--url", box.Url, "--token", token, "--fingerprint", wrong);
        Assert.Equal((1, ""), (code, o));
        Assert.Equal($"netbootpi: TLS to the agent at {box.Url} failed: the certificate of {host} has SHA-256 {fingerprint}, not the one given with --fingerprint ({wrong}); " +
            "compare with what netbootpi status prints on the box: if they differ, something else answers in its place\n", e);

        // Neither --cacert nor --fingerprint: a self-signed certificate is not trusted, and the CLI says what to give.
        (code, _, e) = await Cli("status", "--url", box.Url, "--token", token);
        Assert.Equal((1, $"netbootpi: TLS to the agent at {box.Url} failed: the certificate of {host} ({fingerprint}) is not one this machine trusts (it is self-signed or its issuer is unknown here): " +
            "give --cacert FILE (the box's api-cert.pem) or --fingerprint SHA256 (netbootpi status prints it on the box)\n"), (code, e));

        // Another certificate as --cacert: not the box's.
        var other = Path.Combine(_dir, "other.pem");
        var (made, _, err) = await Tool.RunAsync(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", Path.Combine(_dir, "other.key"),
            "-out", other, "-days", "2", "-subj", "/CN=other", "-addext", $"subjectAltName=IP:{box.Address}"], TestContext.Current.CancellationToken);
        Assert.True(made == 0, err);
        (code, _, e) = await Cli("status", "--url", box.Url, "--token", token, "--cacert", other);
        Assert.Equal(1, code);
        Assert.StartsWith($"netbootpi: TLS to the agent at {box.Url} failed: the certificate of {host} ({fingerprint}) is not signed by a certificate in --cacert {other} (", e);

        // No request got through: the agent logged no call of the token's.
        Assert.DoesNotContain("control: token ", agent.Output);

        (code, _, e) = await Cli("status", "--url", $"http://{box.Address}:{AccountAgent.HttpsPort}", "--token", token);
        Assert.Equal(2, code);
        Assert.StartsWith($"netbootpi: --url: 'http://{box.Address}:{AccountAgent.HttpsPort}' is not https: the API answers over TLS only", e);
        (code, _, e) = await Cli("status", "--url", box.Url, "--cacert", box.CertificatePath);
        Assert.Equal((1, $"netbootpi: {box.Url} needs an API token: --token nbp_... or $NETBOOTPI_TOKEN (netbootpi token create NAME --role ROLE on the box makes one)\n"), (code, e));
        (code, _, e) = await Cli("status", "--token", token);
        Assert.Equal((1, "netbootpi: --token, --cacert and --fingerprint go with --url (or $NETBOOTPI_URL): without it the CLI uses the control socket\n"), (code, e));
        (code, _, e) = await Cli("status", "--url", box.Url, "--token", token, "--fingerprint", "12:34");
        Assert.Equal((1, "netbootpi: --fingerprint: '12:34' is not a SHA-256 fingerprint (64 hexadecimal digits, colons allowed, as netbootpi status prints it on the box)\n"), (code, e));
        Assert.DoesNotContain(token, e);
    }
}
