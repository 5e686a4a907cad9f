using System.Globalization;
using System.Security.Cryptography;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Tftp;

/// <summary>
/// The agent's TFTP server against the TFTP clients people use — tftp-hpa's tftp, atftp and curl — all run on
/// loopback inside the agent's namespace. Every file is compared by SHA-256; every traversal attempt must fail at
/// the client, write nothing, and show up in the agent's log with the client's address.
/// </summary>
public sealed class TftpClientsInNamespaceTests(TftpClientsInNamespaceFixture server) : IClassFixture<TftpClientsInNamespaceFixture>
{
    private const string Host = TftpClientsInNamespaceFixture.Address;
    private const string BigFile = "33m.bin";
    private static readonly string Port = TftpClientsInNamespaceFixture.Port.ToString(CultureInfo.InvariantCulture);

    public static TheoryData<string> AllSizes => new(TftpClientsInNamespaceFixture.Sizes.Keys);

    private string RequireClient(string tool, string package)
    {
        if (server.Unavailable is { } why) Peers.SkipOrFail(why);
        return Peers.Require(tool, package);
    }

    private async Task AssertReceived(string file, string client, Func<string, string[]> arguments)
    {
        var ct = TestContext.Current.CancellationToken;
        var destination = Path.Join(server.NewOutputDirectory(), "out");
        var (code, stdout, stderr) = await server.RunClientAsync(client, arguments(destination), ct);
        Assert.True(code == 0, $"exit code {code}: {stdout}{stderr}\nagent:\n{server.Agent.Output}");
        Assert.True(File.Exists(destination), $"no file written: {stdout}{stderr}");
        Assert.Equal(server.Sha256[file], Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(destination, ct))));
        File.Delete(destination); // the 33 MiB copies would otherwise pile up until the fixture is disposed
    }

    [Theory]
    [MemberData(nameof(AllSizes))]
    public async Task TftpHpaGetsEverySize(string file)
    {
        var tftp = RequireClient("tftp", "tftp-hpa");
        // tftp-hpa sends no options: 512-byte blocks, so 33 MiB rolls the block number over.
        await AssertReceived(file, tftp, dest => ["-m", "binary", Host, Port, "-c", "get", file, dest]);
    }

    public static TheoryData<string, string[]> AtftpCases()
    {
        var cases = new TheoryData<string, string[]>();
        foreach (var file in TftpClientsInNamespaceFixture.Sizes.Keys)
        {
            cases.Add(file, []);
            cases.Add(file, ["--option", "windowsize 16", "--option", "blksize 1468"]);
            if (file != BigFile) cases.Add(file, ["--option", "blksize 1468"]);
            if (file != BigFile) cases.Add(file, ["--option", "windowsize 16"]);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(AtftpCases))]
    public async Task AtftpGetsEverySize(string file, string[] options)
    {
        var atftp = RequireClient("atftp", "atftp");
        await AssertReceived(file, atftp, dest => [.. options, "-g", "-r", file, "-l", dest, Host, Port]);
    }

    public static TheoryData<string, int> CurlCases()
    {
        var cases = new TheoryData<string, int>();
        foreach (var file in TftpClientsInNamespaceFixture.Sizes.Keys)
        {
            cases.Add(file, 512);
            if (file != BigFile)
            {
                cases.Add(file, 1468);
                cases.Add(file, 65464); // granted: block sizes fit the interface's MTU, and loopback's is 64 KiB
            }
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(CurlCases))]
    public async Task CurlGetsEverySize(string file, int blockSize)
    {
        var curl = RequireClient("curl", "curl");
        await AssertReceived(file, curl, dest =>
            ["-sS", "--tftp-blksize", blockSize.ToString(CultureInfo.InvariantCulture), $"tftp://{Host}:{Port}/{file}", "-o", dest]);
    }

    [Fact]
    public async Task TftpHpaAsciiModeRoundTripsThroughNetascii()
    {
        var ct = TestContext.Current.CancellationToken;
        var tftp = RequireClient("tftp", "tftp-hpa");
        var dest = Path.Join(server.NewOutputDirectory(), TftpClientsInNamespaceFixture.Text);
        var (code, stdout, stderr) = await server.RunClientAsync(tftp,
            ["-m", "ascii", Host, Port, "-c", "get", TftpClientsInNamespaceFixture.Text, dest], ct);
        Assert.True(code == 0, $"exit code {code}: {stdout}{stderr}");
        // The client turns CR LF back into LF and CR NUL back into CR: the original bytes come back.
        Assert.Equal(await File.ReadAllBytesAsync(Path.Join(server.Root, TftpClientsInNamespaceFixture.Text), ct),
            await File.ReadAllBytesAsync(dest, ct));
    }

    public static TheoryData<string> Traversals =>
    [
        "../secret.txt",
        "/../secret.txt",
        "..\\secret.txt",
        "a/../../secret.txt",
        "a\\..\\..\\secret.txt",
        "link-out",
        "link-out-dir/secret.txt",
    ];

    private async Task AssertRefused(string name, string client, string[] arguments, string destination,
        Func<int, string, bool> clientSaysRefused)
    {
        var ct = TestContext.Current.CancellationToken;
        var mark = server.Agent.Mark;
        var (code, stdout, stderr) = await server.RunClientAsync(client, arguments, ct);
        Assert.True(clientSaysRefused(code, stdout + stderr), $"exit code {code}: {stdout}{stderr}");
        Assert.True(!File.Exists(destination) || new FileInfo(destination).Length == 0, "the client wrote something");
        // "warn: NetbootPi.Tftp[4005] TFTP request from 127.0.0.1:PORT for NAME refused with access violation: ..."
        server.Agent.WaitFor(line => line.Contains("[4005]", StringComparison.Ordinal)
                && line.Contains($"from {Host}:", StringComparison.Ordinal)
                && line.Contains($" for {name} refused", StringComparison.Ordinal),
            mark, $"the refusal of {name} for {Host}");
    }

    [Theory]
    [MemberData(nameof(Traversals))]
    public async Task TftpHpaTraversalIsRefused(string name)
    {
        var tftp = RequireClient("tftp", "tftp-hpa");
        var dest = Path.Join(server.NewOutputDirectory(), "out");
        // tftp-hpa exits 0 even when the server refuses; it prints the ERROR.
        await AssertRefused(name, tftp, ["-m", "binary", Host, Port, "-c", "get", name, dest], dest,
            (_, output) => output.Contains("Error code 2: Access violation", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Traversals))]
    public async Task AtftpTraversalIsRefused(string name)
    {
        var atftp = RequireClient("atftp", "atftp");
        var dest = Path.Join(server.NewOutputDirectory(), "out");
        await AssertRefused(name, atftp, ["-g", "-r", name, "-l", dest, Host, Port], dest,
            (code, output) => code != 0 && output.Contains("Access violation", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Traversals))]
    public async Task CurlTraversalIsRefused(string name)
    {
        var curl = RequireClient("curl", "curl");
        var dest = Path.Join(server.NewOutputDirectory(), "out");
        // Percent-encoded so that curl does not tidy the dots away itself; curl exit 69 is "TFTP: access violation".
        var encoded = string.Concat(name.Select(c => c is '.' or '\\' ? $"%{(int)c:X2}" : c.ToString()));
        await AssertRefused(name, curl, ["-sS", $"tftp://{Host}:{Port}/{encoded}", "-o", dest], dest,
            (code, _) => code == 69);
    }
}
