using NetbootPi.Agent.Os.Files;

namespace NetbootPi.Agent.Tests.Apply;

/// <summary>
/// Real atomic writes on the local disk that fail where the test says, as a full disk or a read-only file system
/// would: at the creation of a file's temporary, or when it is put in place.
/// </summary>
internal sealed class FaultyFiles : IAtomicFiles
{
    public string? FailCreateOf { get; set; }
    public string? FailCommitOf { get; set; }

    public void Write(string path, ReadOnlySpan<byte> content, UnixFileMode? mode = null) => AtomicFiles.Local.Write(path, content, mode);

    public IAtomicWrite Create(string path, UnixFileMode? mode = null)
    {
        if (path == FailCreateOf) throw new IOException("No space left on device", 28);
        return new FaultyWrite(AtomicFiles.Local.Create(path, mode), path == FailCommitOf);
    }

    public bool Delete(string path) => AtomicFiles.Local.Delete(path);

    private sealed class FaultyWrite(IAtomicWrite inner, bool fail) : IAtomicWrite
    {
        public Stream Content => inner.Content;

        public void Commit(string? path = null)
        {
            if (fail) throw new IOException("Read-only file system", 30);
            inner.Commit(path);
        }

        public void Dispose() => inner.Dispose();
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
