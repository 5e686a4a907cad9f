using NetbootPi.Agent.Apply;
using NetbootPi.Agent.Os.Files;

namespace NetbootPi.Agent.Tests.Apply;

/// <summary>Owned files in a shared directory, and changing a set of them as one step.</summary>
public class FileSetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-fileset-").FullName;
    private OwnedFiles Owned => new(_dir, "50-netbootpi-");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Put(string name, string content) => File.WriteAllText(Path.Combine(_dir, name), content);

    private Dictionary<string, string> OnDisk() => Directory.GetFiles(_dir)
        .ToDictionary(f => Path.GetFileName(f), f => File.ReadAllText(f), StringComparer.Ordinal);

    [Fact]
    public void Only_files_with_the_prefix_are_ours_and_hidden_ones_are_nobodys()
    {
        Put("50-netbootpi-eth0.network", "a");
        Put("10-admin.network", "theirs");
        Put(".50-netbootpi-eth0.network.123.tmp", "half");
        Assert.Equal(new Dictionary<string, string> { ["50-netbootpi-eth0.network"] = "a" }, Owned.Read());
    }

    [Fact]
    public void The_diff_adds_changes_and_removes_only_owned_files_and_leaves_the_same_alone()
    {
        Put("50-netbootpi-same.network", "same");
        Put("50-netbootpi-old.network", "old");
        Put("50-netbootpi-changed.network", "v1");
        Put("10-admin.network", "theirs");
        var changes = Owned.Diff(new Dictionary<string, string>
        {
            ["50-netbootpi-same.network"] = "same",
            ["50-netbootpi-changed.network"] = "v2",
            ["50-netbootpi-new.netdev"] = "new",
        });
        Assert.Equal([
            new FileChange(Path.Combine(_dir, "50-netbootpi-changed.network"), "v1", "v2"),
            new FileChange(Path.Combine(_dir, "50-netbootpi-new.netdev"), null, "new"),
            new FileChange(Path.Combine(_dir, "50-netbootpi-old.network"), "old", null),
        ], changes);

        new FileSetWriter(AtomicFiles.Local).Apply(changes);
        Assert.Equal(new Dictionary<string, string>
        {
            ["10-admin.network"] = "theirs",
            ["50-netbootpi-changed.network"] = "v2",
            ["50-netbootpi-new.netdev"] = "new",
            ["50-netbootpi-same.network"] = "same",
        }, OnDisk());
    }

    [Fact]
    public void A_name_without_the_prefix_is_refused_before_anything_is_read()
    {
        var e = Assert.Throws<ArgumentException>(() => Owned.Diff(new Dictionary<string, string> { ["10-admin.network"] = "x" }));
        Assert.Contains("10-admin.network", e.Message);
    }

    [Fact]
    public void A_temporary_that_cannot_be_written_changes_nothing()
    {
        Put("50-netbootpi-a.network", "a1");
        var changes = Owned.Diff(new Dictionary<string, string> { ["50-netbootpi-a.network"] = "a2", ["50-netbootpi-b.network"] = "b" });
        var files = new FaultyFiles { FailCreateOf = Path.Combine(_dir, "50-netbootpi-b.network") };
        var e = Assert.Throws<FileSetException>(() => new FileSetWriter(files).Apply(changes));
        Assert.StartsWith("nothing changed: ", e.Message);
        Assert.Equal(new Dictionary<string, string> { ["50-netbootpi-a.network"] = "a1" }, OnDisk());
    }

    [Fact]
    public void A_file_that_cannot_be_put_in_place_puts_back_those_already_changed()
    {
        Put("50-netbootpi-a.network", "a1");
        Put("50-netbootpi-z.network", "z1");
        var changes = Owned.Diff(new Dictionary<string, string>
        {
            ["50-netbootpi-a.network"] = "a2",
            ["50-netbootpi-b.network"] = "b",
            ["50-netbootpi-c.network"] = "c",
        });
        var files = new FaultyFiles { FailCommitOf = Path.Combine(_dir, "50-netbootpi-c.network") };
        var e = Assert.Throws<FileSetException>(() => new FileSetWriter(files).Apply(changes));
        Assert.Contains("50-netbootpi-c.network: Read-only file system", e.Message);
        Assert.Contains("the 2 files already changed have their old content again", e.Message);
        // a back to a1, b gone again, z never removed, no temporaries left.
        Assert.Equal(new Dictionary<string, string> { ["50-netbootpi-a.network"] = "a1", ["50-netbootpi-z.network"] = "z1" }, OnDisk());
    }
}
