using System.Security.Cryptography;
using System.Text.RegularExpressions;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Tftp;

/// <summary>The agent's TFTP service, fetched from by curl: the site's root, and the Raspberry Pi serial layout.</summary>
public partial class AgentTftpTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-tftp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Serves_loaders_and_maps_pi_serials_to_their_host()
    {
        var ct = TestContext.Current.CancellationToken;
        var curl = Peers.Require("curl", "curl");
        var root = Path.Combine(_dir, "tftp");
        Directory.CreateDirectory(Path.Combine(root, "pi", "a"));
        Directory.CreateDirectory(Path.Combine(root, "pi", "default"));
        var loader = RandomNumberGenerator.GetBytes(100_000);
        await File.WriteAllBytesAsync(Path.Combine(root, "undionly.kpxe"), loader, ct);
        await File.WriteAllTextAsync(Path.Combine(root, "pi", "a", "cmdline.txt"), "for host a", ct);
        await File.WriteAllTextAsync(Path.Combine(root, "pi", "default", "cmdline.txt"), "for anyone", ct);
        await File.WriteAllTextAsync(Path.Combine(_dir, "secret"), "outside the root", ct);
        var site = Path.Combine(_dir, "site.yaml");
        await File.WriteAllTextAsync(site, SiteText.Minimal
            .WithLine(15, "  a: { mac: 00:00:00:00:00:01, ip: 10.0.0.10, pi_serial: 3A4B5C6D }")
            + $"\nserver: {{ tftp_root: {root} }}", ct);

        using var agent = AgentProcess.Start(null, "run", "--config", site, "--listen", "127.0.0.1", "--tftp-port", "0", "--no-dhcp");
        var port = PortRegex().Match(agent.WaitFor("TFTP server listening on 127.0.0.1:")).Groups[1].Value;

        async Task<(int Code, byte[] Body)> Get(string path)
        {
            var dest = Path.Combine(_dir, $"got-{Guid.NewGuid():N}");
            var (code, _, _) = await Tool.RunAsync(curl, ["-s", "--path-as-is", "-o", dest, $"tftp://127.0.0.1:{port}/{path}"], ct);
            var body = File.Exists(dest) ? await File.ReadAllBytesAsync(dest, ct) : [];
            return (code, body);
        }

        var (c1, b1) = await Get("undionly.kpxe");
        Assert.Equal(0, c1);
        Assert.Equal(SHA256.HashData(loader), SHA256.HashData(b1));
        Assert.Equal("for host a", System.Text.Encoding.ASCII.GetString((await Get("3a4b5c6d/cmdline.txt")).Body));
        Assert.Equal("for anyone", System.Text.Encoding.ASCII.GetString((await Get("0badf00d/cmdline.txt")).Body));
        var (c4, _) = await Get("../secret");
        Assert.NotEqual(0, c4); // curl reports the TFTP access violation as an error exit
        agent.WaitFor("../secret");
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex PortRegex();
}
