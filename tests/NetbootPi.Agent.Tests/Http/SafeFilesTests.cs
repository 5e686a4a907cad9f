using NetbootPi.Agent.Http;

namespace NetbootPi.Agent.Tests.Http;

public class SafeFilesTests
{
    [Theory]
    [InlineData("vmlinuz")]
    [InlineData("alpine/v3.20/vmlinuz-lts")]
    [InlineData("hosts/84:8f:69:e0:d4:0f.txt")]
    public void Plain_relative_paths_pass(string path) => Assert.True(SafeFiles.IsPlainRelativePath(path));

    [Theory]
    [InlineData("")]
    [InlineData("/etc/passwd")]        // absolute: empty first segment
    [InlineData("..")]
    [InlineData("a/../b")]
    [InlineData("a/./b")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData(".tmp")]
    [InlineData("a/.vmlinuz.123.tmp")]
    [InlineData("..%2fsecret")]
    [InlineData("a\\..\\b")]
    [InlineData("a\0b")]
    [InlineData("a\nb")]
    public void Anything_else_is_refused(string path) => Assert.False(SafeFiles.IsPlainRelativePath(path));

    [Fact]
    public void Symlinks_out_of_the_root_are_refused_and_inside_followed()
    {
        var dir = Directory.CreateTempSubdirectory("netbootpi-safe-").FullName;
        try
        {
            var root = Path.Combine(dir, "root");
            Directory.CreateDirectory(root);
            File.WriteAllText(Path.Combine(dir, "secret"), "s");
            File.WriteAllText(Path.Combine(root, "file"), "f");
            File.CreateSymbolicLink(Path.Combine(root, "in"), "file");
            File.CreateSymbolicLink(Path.Combine(root, "out"), "../secret");
            // The root itself may be a symlink: containment is checked against its real path.
            var linkedRoot = Path.Combine(dir, "linked");
            Directory.CreateSymbolicLink(linkedRoot, root);

            Assert.Equal(FileRefusal.None, SafeFiles.TryOpen(linkedRoot, "in", out var s));
            using (s.Handle)
            {
                Assert.Equal(1, s.Length);
                Assert.Equal(File.GetLastWriteTimeUtc(Path.Combine(root, "file")), s.LastWriteUtc);
            }
            Assert.Equal(FileRefusal.OutsideRoot, SafeFiles.TryOpen(linkedRoot, "out", out s));
            Assert.Null(s.Handle);
            Assert.Equal(FileRefusal.NotFound, SafeFiles.TryOpen(root, "missing", out _));
            // Opened, but not a regular file: not served.
            Directory.CreateDirectory(Path.Combine(root, "dir"));
            Assert.Equal(FileRefusal.NotFound, SafeFiles.TryOpen(root, "dir", out s));
            Assert.Null(s.Handle);
            Assert.Equal(FileRefusal.NotFound, SafeFiles.TryOpen(Path.Combine(dir, "no-root"), "file", out _));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_root_re_pointed_between_requests_confines_to_its_new_target()
    {
        // The root's real path is kept between requests: a symlinked data directory pointed elsewhere must not
        // leave the old directory servable through a symlink in the new one.
        var dir = Directory.CreateTempSubdirectory("netbootpi-safe-").FullName;
        try
        {
            var (a, b) = (Path.Combine(dir, "a"), Path.Combine(dir, "b"));
            Directory.CreateDirectory(a);
            Directory.CreateDirectory(b);
            File.WriteAllText(Path.Combine(a, "kernel"), "old");
            File.CreateSymbolicLink(Path.Combine(b, "kernel"), Path.Combine(a, "kernel"));
            File.WriteAllText(Path.Combine(b, "initrd"), "new");
            var root = Path.Combine(dir, "data");
            Directory.CreateSymbolicLink(root, a);

            Assert.Equal(FileRefusal.None, SafeFiles.TryOpen(root, "kernel", out var f));
            f.Handle.Dispose();
            File.Delete(root);
            Directory.CreateSymbolicLink(root, b);
            Assert.Equal(FileRefusal.OutsideRoot, SafeFiles.TryOpen(root, "kernel", out f));
            Assert.Equal(FileRefusal.None, SafeFiles.TryOpen(root, "initrd", out f));
            f.Handle.Dispose();
            Assert.Equal(FileRefusal.NotFound, SafeFiles.TryOpen(a, "initrd", out _));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
