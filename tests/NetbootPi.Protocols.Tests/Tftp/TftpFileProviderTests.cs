using System.Net;
using NetbootPi.Protocols.Tftp;

namespace NetbootPi.Protocols.Tests.Tftp;

public class TftpFileProviderTests
{
    private static readonly IPEndPoint Client = new(IPAddress.Loopback, 40000);

    private static byte[] ReadAll(TftpOpenResult result)
    {
        Assert.True(result.IsSuccess, result.LogDetail);
        using var stream = result.Stream!;
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [Theory]
    [InlineData("a/b.bin")]
    [InlineData("/a/b.bin")]          // leading separator stripped
    [InlineData("//a//b.bin")]
    [InlineData("\\a\\b.bin")]        // backslash is a separator
    [InlineData("a/./b.bin")]
    public void ServesFilesUnderTheRoot(string name)
    {
        using var tree = new TempTree();
        tree.Write("a/b.bin", [1, 2, 3]);
        Assert.Equal([1, 2, 3], ReadAll(new TftpRootFileProvider(tree.Root).Open(name, Client)));
    }

    public static TheoryData<string> Escapes =>
    [
        "../secret.txt",
        "/../secret.txt",
        "..\\secret.txt",
        "a/../../secret.txt",
        "a/..",
        "..",
        "C:\\secret.txt",
        "c:/x",
        "a\0b",
        "",
        "/",
        "\\\\",
        ".",
        "link-out",
        "link-out-dir/secret.txt",
        "a/link-up/secret.txt",
        "chain1",
    ];

    [Theory]
    [MemberData(nameof(Escapes))]
    public void RefusesNamesThatLeaveTheRoot(string name)
    {
        using var tree = new TempTree();
        tree.Write("a/b.bin", [1]);
        File.CreateSymbolicLink(Path.Join(tree.Root, "link-out"), tree.Outside);
        Directory.CreateSymbolicLink(Path.Join(tree.Root, "link-out-dir"), tree.Path);
        Directory.CreateSymbolicLink(Path.Join(tree.Root, "a", "link-up"), "../..");
        // A chain: root/chain1 -> chain2 (inside) -> ../secret.txt (outside).
        File.CreateSymbolicLink(Path.Join(tree.Root, "chain2"), "../secret.txt");
        File.CreateSymbolicLink(Path.Join(tree.Root, "chain1"), "chain2");
        File.CreateSymbolicLink(Path.Join(tree.Root, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Join(tree.Root, "loop2"), "loop1");

        var result = new TftpRootFileProvider(tree.Root).Open(name, Client);

        Assert.False(result.IsSuccess);
        Assert.Equal(TftpErrorCode.AccessViolation, result.ErrorCode);
        Assert.NotEmpty(result.LogDetail);
    }

    [Fact]
    public void FollowsSymlinksThatStayInside()
    {
        using var tree = new TempTree();
        tree.Write("real/f.bin", [9, 8]);
        Directory.CreateSymbolicLink(Path.Join(tree.Root, "alias"), "real");
        File.CreateSymbolicLink(Path.Join(tree.Root, "real", "g.bin"), Path.Join(tree.Root, "real", "f.bin"));
        var files = new TftpRootFileProvider(tree.Root);
        Assert.Equal([9, 8], ReadAll(files.Open("alias/f.bin", Client)));
        Assert.Equal([9, 8], ReadAll(files.Open("alias/g.bin", Client)));
    }

    [Fact]
    public void RootThatIsASymlinkIsResolved()
    {
        using var tree = new TempTree();
        tree.Write("f.bin", [5]);
        var link = Path.Join(tree.Path, "root-link");
        Directory.CreateSymbolicLink(link, tree.Root);
        var files = new TftpRootFileProvider(link);
        Assert.Equal(tree.Root, files.Root);
        Assert.Equal([5], ReadAll(files.Open("f.bin", Client)));
    }

    [Theory]
    [InlineData("missing.bin")]
    [InlineData("a")]               // a directory
    [InlineData("a/missing/x")]
    [InlineData("dangling")]
    [InlineData("loop1")]           // resolves nowhere, so it is not found rather than outside
    [InlineData("fifo")]            // opened without blocking, then refused: no boot file
    public void MissingFilesAndDirectoriesAreNotFound(string name)
    {
        using var tree = new TempTree();
        tree.Write("a/b.bin", [1]);
        File.CreateSymbolicLink(Path.Join(tree.Root, "dangling"), "nowhere");
        File.CreateSymbolicLink(Path.Join(tree.Root, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Join(tree.Root, "loop2"), "loop1");
        Assert.Equal(0, MakeFifo(Path.Join(tree.Root, "fifo"), 0x1a4));
        var result = new TftpRootFileProvider(tree.Root).Open(name, Client);
        Assert.Equal(TftpErrorCode.FileNotFound, result.ErrorCode);
        Assert.False(result.IsSuccess);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MakeFifo(string path, int mode);

    [Fact]
    public void MissingRootThrows()
    {
        using var tree = new TempTree();
        Assert.Throws<DirectoryNotFoundException>(() => new TftpRootFileProvider(Path.Join(tree.Path, "nope")));
    }

    private sealed class SerialMap(Dictionary<string, string> hosts) : IPiSerialMap
    {
        public List<string> Asked { get; } = [];

        public string? GetHostDirectory(string serial)
        {
            Asked.Add(serial);
            return hosts.GetValueOrDefault(serial);
        }
    }

    [Fact]
    public void PiSerialsMapToHostOrDefaultDirectories()
    {
        using var tree = new TempTree();
        tree.Write("hosts/pi-one/start4.elf", [1]);
        tree.Write("pi-default/start4.elf", [2]);
        tree.Write("pxelinux.0", [3]);
        tree.Write("deadbeef/start4.elf", [4]); // a directory named like a serial is not used directly
        var map = new SerialMap(new() { ["a1b2c3d4"] = "hosts/pi-one" });
        var files = new PiSerialFileProvider(new TftpRootFileProvider(tree.Root), map, "pi-default");

        Assert.Equal([1], ReadAll(files.Open("a1b2c3d4/start4.elf", Client)));
        Assert.Equal([1], ReadAll(files.Open("/A1B2C3D4/start4.elf", Client)));   // leading slash, upper-case hex
        Assert.Equal([2], ReadAll(files.Open("deadbeef/start4.elf", Client)));    // unknown serial
        Assert.Equal([3], ReadAll(files.Open("pxelinux.0", Client)));             // no serial prefix
        Assert.Equal(TftpErrorCode.FileNotFound, files.Open("a1b2c3d4/missing", Client).ErrorCode);
        Assert.Equal(TftpErrorCode.AccessViolation, files.Open("a1b2c3d4/../../secret.txt", Client).ErrorCode);
        Assert.Equal(["a1b2c3d4", "a1b2c3d4", "deadbeef", "a1b2c3d4", "a1b2c3d4"], map.Asked);
    }

    [Theory]
    [InlineData("a1b2c3d4/cmdline.txt", true, "a1b2c3d4", "cmdline.txt")]
    [InlineData("\\A1B2C3D4\\sub\\x", true, "a1b2c3d4", "sub/x")]
    [InlineData("a1b2c3d4/", false, "", "")]         // nothing after the serial
    [InlineData("a1b2c3d/x", false, "", "")]         // seven digits
    [InlineData("a1b2c3d45/x", false, "", "")]       // nine
    [InlineData("g1b2c3d4/x", false, "", "")]        // not hex
    [InlineData("start4.elf", false, "", "")]
    public void SplitsSerialPrefixes(string path, bool split, string serial, string rest)
    {
        Assert.Equal(split, PiSerialFileProvider.TrySplitSerial(path, out var s, out var r));
        Assert.Equal((serial, rest), (s, r));
    }

    [Fact]
    public void PiSerialMapCannotEscapeTheRoot()
    {
        using var tree = new TempTree();
        var files = new PiSerialFileProvider(new TftpRootFileProvider(tree.Root), new SerialMap(new() { ["00000001"] = ".." }), "d");
        Assert.Equal(TftpErrorCode.AccessViolation, files.Open("00000001/secret.txt", Client).ErrorCode);
    }

    [Fact]
    public void ProducedContentIsServedFromMemory()
    {
        var result = TftpOpenResult.FromBytes("console=serial0\n"u8.ToArray());
        Assert.Equal("console=serial0\n"u8.ToArray(), ReadAll(result));
    }
}
