using System.Text;
using NetbootPi.Protocols.Files;

namespace NetbootPi.Protocols.Tests.Files;

/// <summary>
/// Files open beneath a served root and nowhere else, and the root follows every change that moves it.
/// </summary>
public sealed class ServedRootTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-root-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Dir(string name) => Directory.CreateDirectory(Path.Combine(_dir, name)).FullName;

    private string Write(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The text of the file opened beneath the root, or the reason it was not opened.</summary>
    private static string Read(ServedRoot root, string name)
    {
        var result = root.Open(name, out var handle);
        if (result != BeneathOpen.Opened)
        {
            Assert.Null(handle);
            return result.ToString();
        }
        using (handle)
        {
            var bytes = new byte[64];
            var n = RandomAccess.Read(handle!, bytes, 0);
            return Encoding.UTF8.GetString(bytes, 0, n);
        }
    }

    [Fact]
    public void A_real_root_serves_its_files_until_it_goes()
    {
        var a = Dir("a");
        Write(a, "f", "one");
        var root = new ServedRoot(a);
        Assert.Equal("one", Read(root, "f"));
        Assert.Equal("NotFound", Read(root, "missing"));
        Directory.Delete(a, recursive: true);
        Assert.Equal("NotFound", Read(root, "f"));
        Write(Dir("a"), "f", "two");
        Assert.Equal("two", Read(root, "f"));
    }

    [Fact]
    public void Names_that_leave_the_root_are_refused_and_symlinks_inside_followed()
    {
        var root = Dir("root");
        Write(_dir, "secret", "s");
        Write(Dir("root/sub"), "f", "inside");
        File.CreateSymbolicLink(Path.Combine(root, "rel"), "sub/f");
        File.CreateSymbolicLink(Path.Combine(root, "sub/up"), "../sub/f");
        // An absolute symlink that lands inside: the kernel refuses it beneath the root, the real-path check allows it.
        File.CreateSymbolicLink(Path.Combine(root, "abs"), Path.Combine(root, "sub/f"));
        File.CreateSymbolicLink(Path.Combine(root, "out"), "../secret");
        File.CreateSymbolicLink(Path.Combine(root, "absout"), Path.Combine(_dir, "secret"));
        File.CreateSymbolicLink(Path.Combine(root, "proc"), "/proc/self/root/etc/hostname");
        File.CreateSymbolicLink(Path.Combine(root, "loop"), "loop");
        Directory.CreateSymbolicLink(Path.Combine(root, "outdir"), _dir);
        var served = new ServedRoot(root);

        Assert.Equal("inside", Read(served, "sub/f"));
        Assert.Equal("inside", Read(served, "rel"));
        Assert.Equal("inside", Read(served, "sub/up"));
        Assert.Equal("inside", Read(served, "abs"));
        Assert.Equal("OutsideRoot", Read(served, "out"));
        Assert.Equal("OutsideRoot", Read(served, "absout"));
        Assert.Equal("OutsideRoot", Read(served, "proc"));
        Assert.Equal("OutsideRoot", Read(served, "outdir/secret"));
        Assert.Equal("NotFound", Read(served, "loop"));
        // The caller checks names as text; the kernel refuses these too.
        Assert.Equal("OutsideRoot", Read(served, "../secret"));
        Assert.Equal("OutsideRoot", Read(served, "sub/../../secret"));
        Assert.Equal("OutsideRoot", Read(served, Path.Combine(_dir, "secret")));
    }

    [Fact]
    public void A_re_pointed_symlink_is_followed_at_once()
    {
        var (a, b) = (Dir("a"), Dir("b"));
        Write(a, "f", "a");
        Write(b, "f", "b");
        var link = Path.Combine(_dir, "link");
        Directory.CreateSymbolicLink(link, a);
        var root = new ServedRoot(link);
        Assert.Equal("a", Read(root, "f"));
        File.Delete(link);
        Directory.CreateSymbolicLink(link, b);
        Assert.Equal("b", Read(root, "f"));
    }

    [Fact]
    public void A_renamed_root_and_a_new_directory_in_its_place_are_told_apart()
    {
        var a = Dir("a");
        Write(a, "f", "first");
        var link = Path.Combine(_dir, "link");
        Directory.CreateSymbolicLink(link, a);
        var root = new ServedRoot(link);
        Assert.Equal("first", Read(root, "f"));
        // The directory moves; the symlink now dangles, then a new directory appears under the old name.
        Directory.Move(a, Path.Combine(_dir, "moved"));
        Assert.Equal("NotFound", Read(root, "f"));
        Write(Dir("a"), "f", "second");
        Assert.Equal("second", Read(root, "f"));
        // The symlink follows the directory to its new name while another one takes the old name: the root is
        // the directory the symlink leads to.
        Directory.Move(a, Path.Combine(_dir, "old"));
        File.Delete(link);
        Directory.CreateSymbolicLink(link, Path.Combine(_dir, "old"));
        Write(Dir("a"), "f", "third");
        Assert.Equal("second", Read(root, "f"));
    }

    // File.Move looks through a symlink to a directory and refuses; rename(2) replaces the link itself.
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename(string from, string to);

    [Fact]
    public async Task Many_threads_open_while_the_root_is_re_pointed()
    {
        // Every open answers from one of the two directories, never fails for a moment, never from a closed one.
        var (a, b) = (Dir("a"), Dir("b"));
        Write(a, "f", "a");
        Write(b, "f", "b");
        var link = Path.Combine(_dir, "link");
        Directory.CreateSymbolicLink(link, a);
        var root = new ServedRoot(link);
        var answers = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        // Threads of their own: on a busy machine, pool threads might only start once the renames are over.
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested) answers.Add(Read(root, "f"));
        }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        // At least 200 re-points, and on until the readers have opened 2000 times (bounded).
        for (var i = 0; i < 200 || (answers.Count < 2000 && i < 1_000_000); i++)
        {
            // rename(2) over the symlink: the path always exists, pointing at one directory or the other.
            var next = Path.Combine(_dir, "next");
            File.CreateSymbolicLink(next, i % 2 == 0 ? b : a);
            Assert.Equal(0, Rename(next, link));
        }
        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.NotEmpty(answers);
        Assert.All(answers, x => Assert.Contains(x, new[] { "a", "b" }));
    }
}
