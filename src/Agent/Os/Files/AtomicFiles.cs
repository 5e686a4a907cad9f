using NetbootPi.Protocols.Files;

namespace NetbootPi.Agent.Os.Files;

/// <summary><see cref="IAtomicFiles"/> on the local file system.</summary>
public sealed class AtomicFiles : IAtomicFiles
{
    public static readonly AtomicFiles Local = new();

    private AtomicFiles()
    {
    }

    public void Write(string path, ReadOnlySpan<byte> content, UnixFileMode? mode = null)
    {
        using var write = Create(path, mode);
        write.Content.Write(content);
        write.Commit();
    }

    public IAtomicWrite Create(string path, UnixFileMode? mode = null) => new LocalWrite(path, mode);

    public bool Delete(string path)
    {
        if (!File.Exists(path)) return false;
        File.Delete(path);
        DirectorySync.Flush(DirectoryOf(path));
        return true;
    }

    private static string DirectoryOf(string path) => Path.GetDirectoryName(Path.GetFullPath(path))!;

    private sealed class LocalWrite : IAtomicWrite
    {
        private readonly string _target;
        private readonly string _temporary;
        private readonly FileStream _stream;
        private bool _committed;

        public LocalWrite(string target, UnixFileMode? mode)
        {
            _target = Path.GetFullPath(target);
            _temporary = Path.Combine(DirectoryOf(_target), $".{Path.GetFileName(_target)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                Options = FileOptions.Asynchronous,
                BufferSize = 0,
            };
            if (mode is { } m && !OperatingSystem.IsWindows()) options.UnixCreateMode = m;
            _stream = new FileStream(_temporary, options);
        }

        public Stream Content => _stream;

        public void Commit(string? path = null)
        {
            ObjectDisposedException.ThrowIf(_committed, this);
            var target = path is null ? _target : Path.GetFullPath(path);
            if (DirectoryOf(target) != DirectoryOf(_target))
                throw new ArgumentException($"{target}: an atomic write commits in the directory it was started in ({DirectoryOf(_target)})", nameof(path));
            _stream.Flush(flushToDisk: true);
            _stream.Dispose();
            File.Move(_temporary, target, overwrite: true);
            _committed = true;
            DirectorySync.Flush(DirectoryOf(target));
        }

        public void Dispose()
        {
            _stream.Dispose();
            if (!_committed) File.Delete(_temporary);
        }

        public async ValueTask DisposeAsync()
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
            if (!_committed) File.Delete(_temporary);
        }
    }
}
