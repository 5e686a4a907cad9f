using System.Security.Cryptography;
using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Media;

/// <summary>
/// One <c>netbootpi run</c> process (HTTP on 127.0.0.1, its control socket in a temporary folder) with a catalog
/// limited to 6 MiB whose downloads may reach 127.0.0.2 (<c>media.fetch_allow</c>) and nothing else on loopback, and
/// a Kestrel server (<see cref="ImageOrigin"/>) on 127.0.0.2 and 127.0.0.1 to download from. Started by the first
/// test that needs it, after that test checked for root (the control socket's admin is root).
/// </summary>
public sealed class CatalogAgentFixture : IAsyncDisposable
{
    public const long MaxBytes = 6 << 20;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private AgentProcess? _agent;

    public CatalogAgentFixture()
    {
        Dir = Directory.CreateTempSubdirectory("netbootpi-catalog-").FullName;
        Directory.CreateDirectory(DataDir);
    }

    public string Dir { get; }
    public string DataDir => Path.Combine(Dir, "data");
    public string Images => Path.Combine(DataDir, "images");
    public string StateDir => Path.Combine(Dir, "state");
    public string SitePath => Path.Combine(Dir, "site.yaml");
    public string Socket => Path.Combine(Dir, "control.sock");
    public string BaseUrl { get; private set; } = "";
    internal ImageOrigin Origin { get; private set; } = null!;
    internal AgentProcess Agent => _agent!;

    public async Task StartAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_agent is not null) return;
            Origin = await ImageOrigin.StartAsync();
            File.WriteAllText(SitePath, $$"""
                site: { name: m }
                server: { state_dir: {{StateDir}}, data_dir: {{DataDir}} }
                networks:
                  lo: { interface: lo, address: 127.0.0.1/8 }
                media: { max_size: 6M, fetch_allow: [127.0.0.2] }
                profiles:
                  p: { local: true }
                defaults: { profile: p }
                hosts:
                  h: { mac: 02:00:00:00:00:01, ip: 127.0.0.3 }
                """);
            _agent = AgentProcess.Start(new Dictionary<string, string> { [ControlSocketPath.EnvironmentVariable] = ControlSocketPath.None },
                "run", "--config", SitePath, "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0", "--no-dhcp",
                "--control-socket", Socket);
            var line = _agent.WaitFor("http listening on ");
            BaseUrl = line[line.IndexOf("http://", StringComparison.Ordinal)..].Trim();
            _agent.WaitFor(" ready: site ");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The CLI in this process, on the agent's socket.</summary>
    public async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await CommandLine.RunAsync([.. args, "--socket", Socket], o, e, TestContext.Current.CancellationToken);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>curl on the control socket.</summary>
    internal CurlResult Api(string method, string path, params string[] args) =>
        Curl.Run(["--unix-socket", Socket, "-X", method, .. args, $"http://netbootpi{path}"]);

    /// <summary>Random bytes, and their SHA-256 as sha256sum prints it.</summary>
    public static (byte[] Bytes, string Sha256) Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return (bytes, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>Every file under the catalog, hidden ones included (partial files, metadata), relative to it.</summary>
    public string[] FilesUnderImages() => Directory.Exists(Images)
        ? [.. Directory.EnumerateFiles(Images, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Images, f)).Order(StringComparer.Ordinal)]
        : [];

    public async ValueTask DisposeAsync()
    {
        _agent?.Dispose();
        if (Origin is not null) await Origin.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
