namespace NetbootPi.Fuzz.Targets;

/// <summary>
/// A directory to serve with every kind of symlink a confinement check must judge: inside links (relative,
/// absolute, to a directory), links out of the root (relative past the top, absolute), a loop; and a file just
/// outside the root that no name may reach.
/// </summary>
internal sealed class ServedTree : IDisposable
{
    public ServedTree()
    {
        Top = Directory.CreateTempSubdirectory("netbootpi-fuzz-").FullName;
        Root = Path.Combine(Top, "root");
        Directory.CreateDirectory(Path.Combine(Root, "dir", "sub"));
        File.WriteAllText(Path.Combine(Top, "secret"), "outside the root\n");
        File.WriteAllText(Path.Combine(Root, "a"), "a\n");
        File.WriteAllText(Path.Combine(Root, "dir", "b"), "b\n");
        File.WriteAllText(Path.Combine(Root, "dir", "sub", "c"), "c\n");
        File.CreateSymbolicLink(Path.Combine(Root, "dir", "up"), "../a");
        File.CreateSymbolicLink(Path.Combine(Root, "in"), "dir");
        File.CreateSymbolicLink(Path.Combine(Root, "abs-in"), Path.Combine(Root, "dir", "b"));
        File.CreateSymbolicLink(Path.Combine(Root, "out"), Path.Combine(Top, "secret"));
        File.CreateSymbolicLink(Path.Combine(Root, "dir", "esc"), "../..");
        File.CreateSymbolicLink(Path.Combine(Root, "dir", "sub", "sec"), "../../../secret");
        File.CreateSymbolicLink(Path.Combine(Root, "loop"), "loop");
        File.CreateSymbolicLink(Path.Combine(Root, "etc"), "/etc");
    }

    /// <summary>Names that exercise each link, for seeds.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["a", "dir/b", "dir/up", "in/b", "in/sub/c", "abs-in", "out", "dir/esc/secret", "dir/sub/sec", "loop", "etc/hostname", "in/../a"];

    public string Top { get; }

    public string Root { get; }

    /// <summary>
    /// Throws unless the open descriptor lies under the root. Read from /proc/self/fd by the BCL's link reading,
    /// not by the agent's own RealPath, so the check does not share code with what it checks.
    /// </summary>
    public void RequireInside(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string what, string name)
    {
        var real = new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget;
        if (real is null || !(real + "/").StartsWith(Root + "/", StringComparison.Ordinal))
            throw new InvariantViolation($"{what} opened '{name}' as {real ?? "(unknown)"}, outside the root {Root}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Top, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is no reason to fail a fuzz run.
        }
    }
}
