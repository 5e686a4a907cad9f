using NetbootPi.Agent.Os.Files;

namespace NetbootPi.Agent.Tests.Os.Files;

/// <summary>The local atomic writes: whole or nothing at the target, secrets private from creation on.</summary>
public class AtomicFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-atomic-").FullName;
    private readonly IAtomicFiles _files = AtomicFiles.Local;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string[] Entries() => Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order().ToArray()!;

    [Fact]
    public void A_write_replaces_the_target_whole_and_leaves_nothing_beside_it()
    {
        var target = Path.Combine(_dir, "a.conf");
        File.WriteAllText(target, "old");
        _files.Write(target, "new content"u8);
        Assert.Equal("new content", File.ReadAllText(target));
        Assert.Equal(["a.conf"], Entries());
    }

    [Fact]
    public void A_new_file_has_its_mode_from_creation()
    {
        var target = Path.Combine(_dir, "secret");
        _files.Write(target, "s"u8, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(target));
    }

    [Fact]
    public async Task A_piecewise_write_is_invisible_until_committed_and_gone_if_never_committed()
    {
        var target = Path.Combine(_dir, "upload.bin");
        await using (var write = _files.Create(target))
        {
            await write.Content.WriteAsync(new byte[100_000], TestContext.Current.CancellationToken);
            Assert.False(File.Exists(target));
            var temporary = Assert.Single(Entries());
            Assert.StartsWith(".upload.bin.", temporary); // hidden: no listing or server shows it
        }
        Assert.Empty(Entries());

        await using (var write = _files.Create(target))
        {
            write.Content.Write("abc"u8);
            write.Content.Position = 0;
            Assert.Equal('a', write.Content.ReadByte()); // a check can read back what arrived
            write.Commit(Path.Combine(_dir, "000001.bin"));
        }
        Assert.Equal(["000001.bin"], Entries());
        Assert.Equal("abc", File.ReadAllText(Path.Combine(_dir, "000001.bin")));
    }

    [Fact]
    public void A_commit_into_another_directory_is_refused_and_leaves_nothing()
    {
        var other = Directory.CreateTempSubdirectory("netbootpi-atomic-other-").FullName;
        try
        {
            using (var write = _files.Create(Path.Combine(_dir, "x")))
            {
                var e = Assert.Throws<ArgumentException>(() => write.Commit(Path.Combine(other, "x")));
                Assert.Contains(other, e.Message);
            }
            Assert.Empty(Entries());
            Assert.Empty(Directory.GetFileSystemEntries(other));
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }

    [Fact]
    public void Delete_says_whether_there_was_something_to_delete()
    {
        var target = Path.Combine(_dir, "gone");
        File.WriteAllText(target, "x");
        Assert.True(_files.Delete(target));
        Assert.False(File.Exists(target));
        Assert.False(_files.Delete(target));
    }

    [Fact]
    public void A_write_into_a_missing_directory_fails_with_the_path()
    {
        var target = Path.Combine(_dir, "missing", "a.conf");
        var e = Assert.ThrowsAny<IOException>(() => _files.Write(target, "x"u8));
        Assert.Contains(Path.Combine(_dir, "missing"), e.Message);
    }
}
