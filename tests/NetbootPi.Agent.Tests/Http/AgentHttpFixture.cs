using System.Formats.Tar;
using System.IO.Compression;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Http;

/// <summary>
/// One <c>netbootpi run</c> process listening on 127.0.0.1 (a free port), with a data directory holding test
/// files, a secret beside it that must never be served, and hosts at 127.0.0.2 and 127.0.0.3 so uploads can
/// come from a host's own address (curl --interface) or from someone else's, and hosts without an address
/// (roam, nomad) whose uploads need their tokens.
/// </summary>
public sealed class AgentHttpFixture : IDisposable
{
    public const string UpMac = "02:00:00:00:00:01";
    public const string Secret = "the secret beside the data directory";
    public const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxXp+yyizZEmGf07RUvsgRAYWgc/q9CjPeDM3iHXkiT a@b";

    private readonly AgentProcess _agent;
    private readonly TestMirror _mirror = new();

    public AgentHttpFixture()
    {
        Dir = Directory.CreateTempSubdirectory("netbootpi-http-").FullName;
        Directory.CreateDirectory(DataDir);
        Directory.CreateDirectory(Path.Combine(DataDir, "alpine"));
        Big = new byte[1024 * 1024 + 17];
        new Random(5).NextBytes(Big);
        File.WriteAllBytes(Path.Combine(DataDir, "alpine", "vmlinuz-lts"), Big);
        File.WriteAllText(Path.Combine(Dir, "secret"), Secret);
        MirrorKernel = new byte[200_003];
        new Random(9).NextBytes(MirrorKernel);
        _mirror.Files["/alpine/v3.20/releases/x86_64/netboot-3.20.3/vmlinuz-lts"] = MirrorKernel;
        File.CreateSymbolicLink(Path.Combine(DataDir, "out"), Path.Combine(Dir, "secret"));
        File.CreateSymbolicLink(Path.Combine(DataDir, "alpine", "latest"), Path.Combine(DataDir, "alpine", "vmlinuz-lts"));
        Directory.CreateSymbolicLink(Path.Combine(DataDir, "outdir"), Dir);
        File.WriteAllText(SitePath, $$"""
            site:
              name: h
              ssh_keys: [{{Key}}]
            server: { state_dir: {{StateDir}}, data_dir: {{DataDir}} }
            networks:
              lo: { interface: lo, address: 127.0.0.1/8 }
            profiles:
              alpine:
                alpine: { mirror: {{_mirror.Url}}/alpine, branch: v3.20, version: 3.20.3 }
                menu_timeout: 5s
            defaults: { profile: alpine }
            hosts:
              up:    { mac: {{UpMac}}, ip: 127.0.0.2 }
              other: { mac: 02:00:00:00:00:02, ip: 127.0.0.3 }
              roam:  { mac: 02:00:00:00:00:03 }
              nomad: { mac: 02:00:00:00:00:04 }
              drifter: { mac: 02:00:00:00:00:05 }
            """);
        _agent = AgentProcess.Start(null, "run", "--config", SitePath, "--http-listen", "127.0.0.1:0");
        var line = _agent.WaitFor("http listening on ");
        BaseUrl = line[(line.IndexOf("http://", StringComparison.Ordinal))..].Trim();
        Port = int.Parse(BaseUrl[(BaseUrl.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public string Dir { get; }
    public string DataDir => Path.Combine(Dir, "data");
    public string StateDir => Path.Combine(Dir, "state");
    public string SitePath => Path.Combine(Dir, "site.yaml");
    public byte[] Big { get; }
    public byte[] MirrorKernel { get; }
    public int MirrorRequests => _mirror.Requests.Count;
    public string BaseUrl { get; }
    public int Port { get; }

    public string Output => _agent.Output;

    /// <summary>Waits for a log line (bounded): the agent logs a request after its response may have arrived.</summary>
    public string WaitFor(string text) => _agent.WaitFor(text);

    /// <summary>A small overlay as lbu package writes one: etc/ files in a gzip tar.</summary>
    public static byte[] Overlay(string hostname)
    {
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz, TarEntryFormat.Ustar))
        {
            var entry = new UstarTarEntry(TarEntryType.RegularFile, "etc/hostname")
            {
                // Fixed, so the same host name always gives the same bytes (the default is "now", which made
                // overlays built a second apart differ and the comparisons flaky).
                ModificationTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
                DataStream = new MemoryStream(System.Text.Encoding.ASCII.GetBytes(hostname + "\n")),
            };
            tar.WriteEntry(entry);
        }
        return buffer.ToArray();
    }

    public void Dispose()
    {
        _agent.Dispose();
        _mirror.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}
