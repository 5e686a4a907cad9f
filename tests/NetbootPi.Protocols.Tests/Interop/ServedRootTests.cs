using NetbootPi.Protocols.Interop;

namespace NetbootPi.Protocols.Tests.Interop;

/// <summary>The kept real path of a served root follows every change that moves the root.</summary>
public sealed class ServedRootTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-root-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Dir(string name) => Directory.CreateDirectory(Path.Combine(_dir, name)).FullName;

    [Fact]
    public void A_real_root_is_its_own_real_path_until_it_goes()
    {
        var a = Dir("a");
        var root = new ServedRoot(a);
        Assert.Equal(a, root.RealPath());
        Assert.Equal(a, root.RealPath());
        Directory.Delete(a);
        Assert.Null(root.RealPath());
        Dir("a");
        Assert.Equal(a, root.RealPath());
    }

    [Fact]
    public void A_re_pointed_symlink_is_followed_at_once()
    {
        var (a, b) = (Dir("a"), Dir("b"));
        var link = Path.Combine(_dir, "link");
        Directory.CreateSymbolicLink(link, a);
        var root = new ServedRoot(link);
        Assert.Equal(a, root.RealPath());
        File.Delete(link);
        Directory.CreateSymbolicLink(link, b);
        Assert.Equal(b, root.RealPath());
    }

    [Fact]
    public void A_renamed_root_and_a_new_directory_in_its_place_are_told_apart()
    {
        var a = Dir("a");
        var link = Path.Combine(_dir, "link");
        Directory.CreateSymbolicLink(link, a);
        var root = new ServedRoot(link);
        Assert.Equal(a, root.RealPath());
        // The directory moves; the symlink now dangles, then a new directory appears under the old name.
        Directory.Move(a, Path.Combine(_dir, "moved"));
        Assert.Null(root.RealPath());
        Dir("a");
        Assert.Equal(a, root.RealPath());
        // The kept path names the same directory as the symlink, but a swap under it is still seen.
        Directory.Move(a, Path.Combine(_dir, "old"));
        File.Delete(link);
        Directory.CreateSymbolicLink(link, Path.Combine(_dir, "old"));
        Dir("a"); // the kept real path exists again, but is another directory
        Assert.Equal(Path.Combine(_dir, "old"), root.RealPath());
    }
}
