using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Control.Accounts;

/// <summary>
/// An agent of its own (its own process) for the account tests: a site whose management network is a random
/// 127.x address on lo, a state directory in a temporary folder, the control socket there, and the network API
/// when asked. Cleans up on dispose.
/// </summary>
internal sealed class AccountAgent : IDisposable
{
    public const int HttpsPort = 8443;
    public const int RedirectPort = 8080;

    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-accounts-agent-").FullName;
    private AgentProcess? _agent;

    /// <param name="server">More keys for the site's server section, one per line.</param>
    /// <param name="more">More of the site after the management network: more networks (indented), then profiles, hosts.</param>
    public AccountAgent(string server = "", string more = "")
    {
        // Other uids must reach the socket's folder (the socket's own mode decides who may connect).
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
        Address = $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(1, 255)}";
        File.WriteAllText(SitePath, $$"""
            site:
              name: t
            server:
              state_dir: {{StateDir}}
              data_dir: {{_dir}}/data
              http_port: 8081
              api_port: {{HttpsPort}}
              api_http_port: {{RedirectPort}}
            {{server}}
            networks:
              mgmt:
                interface: lo
                address: {{Address}}/8
                role: management
            {{more}}
            """);
    }

    public string Address { get; }
    public string SitePath => Path.Combine(_dir, "site.yaml");
    public string StateDir => Path.Combine(_dir, "state");
    public string Socket => Path.Combine(_dir, "run", "control.sock");
    public string Url => $"https://{Address}:{HttpsPort}";
    public string CertificatePath => Path.Combine(StateDir, "api-cert.pem");
    public AgentProcess Process => _agent!;

    /// <param name="environment">More of the agent's environment (DBUS_SYSTEM_BUS_ADDRESS: a test's own systemd).</param>
    public AgentProcess Start(bool networkApi = true, IReadOnlyDictionary<string, string>? environment = null)
    {
        _agent?.Dispose();
        string[] args = ["run", "--config", SitePath, "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0", "--no-dhcp", "--no-dns",
            "--control-socket", Socket, "--control-group", "nogroup"];
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { [ControlSocketPath.EnvironmentVariable] = ControlSocketPath.None };
        _agent = AgentProcess.Start(variables,
            networkApi ? [.. args, "--network-api"] : args);
        _agent.WaitFor(" ready: site ");
        return _agent;
    }

    /// <summary>The CLI in this process (as root) on this agent's socket.</summary>
    public async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await CommandLine.RunAsync([.. args, "--socket", Socket], o, e, TestContext.Current.CancellationToken);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>The built CLI with <paramref name="input"/> on its standard input (a password for --password-stdin).</summary>
    public async Task<(int Code, string Out, string Err)> CliWithInput(string input, params string[] args)
    {
        var psi = new ProcessStartInfo(AgentProcess.Executable) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--socket");
        psi.ArgumentList.Add(Socket);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var ct = TestContext.Current.CancellationToken;
        await p.StandardInput.WriteAsync(input);
        p.StandardInput.Close();
        var o = p.StandardOutput.ReadToEndAsync(ct);
        var e = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        return (p.ExitCode, await o, await e);
    }

    /// <summary>Adds a user through the CLI over the socket.</summary>
    public async Task AddUser(string name, string role, string password)
    {
        var (code, _, e) = await CliWithInput(password + "\n", "user", "add", name, "--role", role, "--password-stdin");
        Assert.True(code == 0, e);
    }

    /// <summary>Makes a token through the CLI over the socket; returns it.</summary>
    public async Task<string> Token(string role, params string[] hosts)
    {
        var (code, o, e) = await Cli(["token", "create", $"{role} token", "--role", role, .. hosts.SelectMany(h => new[] { "--host", h })]);
        Assert.True(code == 0, e);
        return o.Trim();
    }

    /// <summary>curl at the API over HTTPS, trusting the agent's certificate.</summary>
    public CurlResult Curl(string method, string path, params string[] more) =>
        Support.Curl.Run(["--cacert", CertificatePath, "-X", method, .. more, Url + path]);

    /// <summary>
    /// One request over a kept-alive HTTPS connection from this process, trusting only the agent's own certificate:
    /// for tests that make hundreds of requests (curl, a process and a TLS handshake each, costs ~0.4 s a request).
    /// </summary>
    public async Task<CurlResult> Request(string method, string path, string? bearer = null)
    {
        _https ??= new HttpClient(new SocketsHttpHandler
        {
            // A web console page answers a caller without credentials with a redirect to the login page: the answer is that redirect.
            AllowAutoRedirect = false,
            SslOptions =
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { X509Certificate2.CreateFromPem(File.ReadAllText(CertificatePath)) },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
        }) { BaseAddress = new Uri(Url) };
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (bearer is not null) request.Headers.Authorization = new("Bearer", bearer);
        if (method is "POST" or "PUT") request.Content = new ByteArrayContent([]);
        using var response = await _https.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        var headers = string.Join("\r\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"));
        // A stream (server-sent events, MJPEG) never ends by itself: its answer is its status and headers.
        var streaming = response.Content.Headers.ContentType?.MediaType is "text/event-stream" or "multipart/x-mixed-replace";
        var body = streaming ? [] : await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        return new CurlResult((int)response.StatusCode, headers, body, "");
    }

    private HttpClient? _https;

    public void Dispose()
    {
        _https?.Dispose();
        _agent?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
