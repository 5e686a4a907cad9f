namespace NetbootPi.Protocols.Tests.Tftp;

/// <summary>A temporary directory tree: a served root inside, a secret file outside it; deleted on dispose.</summary>
internal sealed class TempTree : IDisposable
{
    public TempTree()
    {
        Path = Directory.CreateTempSubdirectory("netbootpi-tftp-").FullName;
        Root = Directory.CreateDirectory(System.IO.Path.Join(Path, "root")).FullName;
        Outside = System.IO.Path.Join(Path, "secret.txt");
        File.WriteAllText(Outside, "outside the root");
    }

    public string Path { get; }
    public string Root { get; }
    public string Outside { get; }

    public string Write(string relative, byte[] content)
    {
        var full = System.IO.Path.Join(Root, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return full;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
