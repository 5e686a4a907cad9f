using System.Security.Cryptography;

namespace NetbootPi.Protocols.Tests.Tftp;

/// <summary>
/// Our server against the TFTP clients people use: tftp-hpa's tftp, atftp and curl, on loopback. Every file is
/// compared by SHA-256; every traversal attempt must fail at the client and show up in our log.
/// </summary>
public sealed class RealClientTests(RealClientFixture server) : IClassFixture<RealClientFixture>
{
    public static TheoryData<string> AllSizes => new(RealClientFixture.Sizes.Keys);

    private async Task AssertReceived(string file, Func<string, Task<(int ExitCode, string Output)>> fetch)
    {
        var dir = server.NewOutputDirectory();
        try
        {
            var destination = Path.Join(dir, "out");
            var (exitCode, output) = await fetch(destination);
            Assert.True(exitCode == 0, $"exit code {exitCode}: {output}");
            Assert.True(File.Exists(destination), $"no file written: {output}");
            Assert.Equal(server.Sha256[file], Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(destination))));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(AllSizes))]
    public async Task TftpHpaGetsEverySize(string file)
    {
        var tftp = ExternalTool.Require("tftp", "tftp-hpa");
        // tftp-hpa sends no options: 512-byte blocks, so 33 MiB rolls the block number over.
        await AssertReceived(file, dest => ExternalTool.RunAsync(tftp, server.Root,
            "-m", "binary", "127.0.0.1", server.Port.ToString(), "-c", "get", file, dest));
    }

    public static TheoryData<string, string[]> AtftpCases()
    {
        var cases = new TheoryData<string, string[]>();
        foreach (var file in RealClientFixture.Sizes.Keys)
        {
            cases.Add(file, []);
            cases.Add(file, ["--option", "windowsize 16", "--option", "blksize 1468"]);
            if (file != "33m.bin") cases.Add(file, ["--option", "blksize 1468"]);
            if (file != "33m.bin") cases.Add(file, ["--option", "windowsize 16"]);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(AtftpCases))]
    public async Task AtftpGetsEverySize(string file, string[] options)
    {
        var atftp = ExternalTool.Require("atftp", "atftp");
        await AssertReceived(file, dest => ExternalTool.RunAsync(atftp, server.Root,
            [.. options, "-g", "-r", file, "-l", dest, "127.0.0.1", server.Port.ToString()]));
    }

    public static TheoryData<string, int> CurlCases()
    {
        var cases = new TheoryData<string, int>();
        foreach (var file in RealClientFixture.Sizes.Keys)
        {
            cases.Add(file, 512);
            if (file != "33m.bin")
            {
                cases.Add(file, 1468);
                cases.Add(file, 65464); // granted 1468: the server caps at the MTU
            }
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(CurlCases))]
    public async Task CurlGetsEverySize(string file, int blockSize)
    {
        var curl = ExternalTool.Require("curl", "curl");
        await AssertReceived(file, dest => ExternalTool.RunAsync(curl, server.Root,
            "-sS", "--tftp-blksize", blockSize.ToString(), $"tftp://127.0.0.1:{server.Port}/{file}", "-o", dest));
    }

    [Fact]
    public async Task TftpHpaAsciiModeRoundTripsThroughNetascii()
    {
        var tftp = ExternalTool.Require("tftp", "tftp-hpa");
        var dir = server.NewOutputDirectory();
        try
        {
            var dest = Path.Join(dir, "text.txt");
            var (exitCode, output) = await ExternalTool.RunAsync(tftp, server.Root,
                "-m", "ascii", "127.0.0.1", server.Port.ToString(), "-c", "get", "text.txt", dest);
            Assert.True(exitCode == 0, output);
            // The client turns CR LF back into LF and CR NUL back into CR: the original bytes come back.
            Assert.Equal(File.ReadAllBytes(Path.Join(server.Root, "text.txt")), File.ReadAllBytes(dest));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
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

    private async Task AssertRefused(string name, Func<string, Task<(int ExitCode, string Output)>> fetch, Func<int, string, bool> clientSaysRefused)
    {
        var before = server.Log.Entries.Count(e => e.EventId == 4005);
        var dir = server.NewOutputDirectory();
        try
        {
            var dest = Path.Join(dir, "out");
            var (exitCode, output) = await fetch(dest);
            Assert.True(clientSaysRefused(exitCode, output), $"exit code {exitCode}: {output}");
            Assert.True(!File.Exists(dest) || File.ReadAllBytes(dest).Length == 0, "the client wrote something");
            var refusals = server.Log.Entries.Where(e => e.EventId == 4005).Skip(before).ToList();
            Assert.Contains(refusals, e => e.Message.Contains("127.0.0.1:", StringComparison.Ordinal) && e.Message.Contains(name, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Traversals))]
    public async Task TftpHpaTraversalIsRefused(string name)
    {
        var tftp = ExternalTool.Require("tftp", "tftp-hpa");
        // tftp-hpa exits 0 even when the server refuses; it prints the ERROR.
        await AssertRefused(name, dest => ExternalTool.RunAsync(tftp, server.Root, "-m", "binary", "127.0.0.1", server.Port.ToString(), "-c", "get", name, dest),
            (_, output) => output.Contains("Error code 2: Access violation", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Traversals))]
    public async Task AtftpTraversalIsRefused(string name)
    {
        var atftp = ExternalTool.Require("atftp", "atftp");
        await AssertRefused(name, dest => ExternalTool.RunAsync(atftp, server.Root, "-g", "-r", name, "-l", dest, "127.0.0.1", server.Port.ToString()),
            (exitCode, output) => exitCode != 0 && output.Contains("Access violation", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Traversals))]
    public async Task CurlTraversalIsRefused(string name)
    {
        var curl = ExternalTool.Require("curl", "curl");
        // Percent-encoded so that curl does not tidy the dots away itself; curl exit 69 is "TFTP: access violation".
        var encoded = string.Concat(name.Select(c => c is '.' or '\\' ? $"%{(int)c:X2}" : c.ToString()));
        await AssertRefused(name, dest => ExternalTool.RunAsync(curl, server.Root, "-sS", $"tftp://127.0.0.1:{server.Port}/{encoded}", "-o", dest),
            (exitCode, _) => exitCode == 69);
    }
}
