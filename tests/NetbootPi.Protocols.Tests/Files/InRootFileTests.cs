using NetbootPi.Protocols.Files;

namespace NetbootPi.Protocols.Tests.Files;

/// <summary>
/// <see cref="InRootFile"/> on a tree with the links a machine's root holds or has planted in it: what the
/// machine itself would read is opened, nothing outside the tree ever is, and a link climbing out is named.
/// </summary>
public sealed class InRootFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-inroot-").FullName;

    public InRootFileTests()
    {
        Directory.CreateDirectory(Path.Combine(Root, "boot", "efi"));
        Directory.CreateDirectory(Path.Combine(Root, "etc"));
        File.WriteAllText(Path.Combine(Root, "boot", "vmlinuz-6.1"), "kernel");
        File.WriteAllText(Path.Combine(Root, "etc", "hostname"), "nuc1");
        File.WriteAllText(Path.Combine(_dir, "outside"), "the box's file");
        File.CreateSymbolicLink(Path.Combine(Root, "vmlinuz"), "boot/vmlinuz-6.1");
        File.CreateSymbolicLink(Path.Combine(Root, "absolute"), "/boot/vmlinuz-6.1");
        Directory.CreateSymbolicLink(Path.Combine(Root, "b"), "boot");
        File.CreateSymbolicLink(Path.Combine(Root, "boot", "efi", "name"), "../../etc/hostname");
        File.CreateSymbolicLink(Path.Combine(Root, "climb"), "../outside");
        File.CreateSymbolicLink(Path.Combine(Root, "boot", "climb"), "../../../../outside");
        File.CreateSymbolicLink(Path.Combine(Root, "via"), "boot/climb");
        File.CreateSymbolicLink(Path.Combine(Root, "dotdot-abs"), "/../outside");
        File.CreateSymbolicLink(Path.Combine(Root, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Combine(Root, "loop2"), "loop1");
        // An absolute link to this test's own folder: inside the tree that path does not exist.
        File.CreateSymbolicLink(Path.Combine(Root, "hostpath"), Path.Combine(_dir, "outside"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Root => Path.Combine(_dir, "root");

    private (InRootOpen Result, string? Content, string? Why) Open(string relative)
    {
        var result = InRootFile.Open(Root, relative, out var file, out var why);
        if (file is null) return (result, null, why);
        using (file)
        using (var stream = new FileStream(file, FileAccess.Read, 1))
        using (var reader = new StreamReader(stream))
            return (result, reader.ReadToEnd(), why);
    }

    [Theory]
    [InlineData("boot/vmlinuz-6.1", "kernel")]
    [InlineData("vmlinuz", "kernel")]             // relative, as Debian's linux-base writes it
    [InlineData("absolute", "kernel")]            // absolute: the tree's own /boot, not the box's
    [InlineData("b/vmlinuz-6.1", "kernel")]       // through a directory link
    [InlineData("boot/efi/name", "nuc1")]         // up and down again, inside
    public void What_the_machine_itself_reads_is_opened(string relative, string content) =>
        Assert.Equal((InRootOpen.Opened, content, (string?)null), Open(relative));

    [Theory]
    [InlineData("climb", "/climb -> ../outside")]
    [InlineData("boot/climb", "/boot/climb -> ../../../../outside")]
    [InlineData("via", "/boot/climb -> ../../../../outside")]
    [InlineData("dotdot-abs", "/dotdot-abs -> /../outside")]
    public void A_link_climbing_out_of_the_root_is_refused_and_named(string relative, string link)
    {
        var (result, content, why) = Open(relative);
        Assert.Equal(InRootOpen.LeadsOut, result);
        Assert.Null(content);
        Assert.Equal($"{link} leads out of the root", why);
    }

    [Theory]
    [InlineData("hostpath")]   // the box's absolute path means nothing inside the tree
    [InlineData("loop1")]
    [InlineData("missing")]
    [InlineData("boot/vmlinuz-6.1/x")]
    public void Nothing_else_opens(string relative) =>
        Assert.Equal(InRootOpen.NotFound, Open(relative).Result);

    [Fact]
    public void A_missing_root_opens_nothing() =>
        Assert.Equal(InRootOpen.NotFound, InRootFile.Open(Path.Combine(_dir, "gone"), "vmlinuz", out _, out _));
}
