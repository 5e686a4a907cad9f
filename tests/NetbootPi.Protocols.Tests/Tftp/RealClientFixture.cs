using System.Net;
using System.Security.Cryptography;
using NetbootPi.Protocols.Tftp;

namespace NetbootPi.Protocols.Tests.Tftp;

/// <summary>
/// One server on 127.0.0.1 with an ephemeral port for the real-client tests, serving files of the sizes that
/// matter (empty, around one 512-byte block, 1 MiB, and 33 MiB, which is past 65,535 blocks of 512 bytes), a text
/// file for netascii, and symlinks that point out of the root.
/// </summary>
public sealed class RealClientFixture : IAsyncLifetime
{
    public static readonly Dictionary<string, int> Sizes = new()
    {
        ["empty.bin"] = 0,
        ["511.bin"] = 511,
        ["512.bin"] = 512,
        ["513.bin"] = 513,
        ["1m.bin"] = 1 << 20,
        ["33m.bin"] = 33 << 20,
    };

    private readonly TempTree _tree = new();
    private TftpServer? _server;

    public CapturingLogger Log { get; } = new();
    public string Root => _tree.Root;
    public string Secret => _tree.Outside;
    public int Port => _server!.LocalEndPoint.Port;
    public Dictionary<string, string> Sha256 { get; } = [];

    public string NewOutputDirectory() => Directory.CreateTempSubdirectory("netbootpi-tftp-out-").FullName;

    public ValueTask InitializeAsync()
    {
        var random = new Random(33);
        foreach (var (name, size) in Sizes)
        {
            var content = new byte[size];
            random.NextBytes(content);
            _tree.Write(name, content);
            Sha256[name] = Convert.ToHexString(SHA256.HashData(content));
        }
        _tree.Write("text.txt", "line one\nline two\r\nbare\rcr\n\nend"u8.ToArray());
        Directory.CreateDirectory(Path.Join(Root, "a"));
        File.CreateSymbolicLink(Path.Join(Root, "link-out"), Secret);
        Directory.CreateSymbolicLink(Path.Join(Root, "link-out-dir"), _tree.Path);
        _server = new TftpServer(new TftpServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) },
            new TftpRootFileProvider(Root), Log);
        _server.Start();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        _tree.Dispose();
    }
}
