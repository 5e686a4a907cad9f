using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;

namespace NetbootPi.Agent.Media.Catalog;

/// <summary>
/// An image being added (<see cref="ImageCatalog.BeginAdd"/>): its bytes go to a file in <c>images/.partial/</c>,
/// bounded by <c>media.max_size</c> and hashed (SHA-256) as they arrive, never held in memory whole. Only
/// <see cref="Commit"/> puts it in the catalog; disposing it otherwise removes the partial file, unless a download
/// keeps it to resume (<see cref="KeepPartial"/>).
/// </summary>
public sealed class ImageWrite : IAsyncDisposable
{
    private readonly ImageCatalog _catalog;
    private readonly string? _expected;
    private readonly long _max;
    private readonly Action _release;
    private FileStream _stream;
    private IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _done;

    internal ImageWrite(ImageCatalog catalog, string name, string partialPath, string addedBy, string source, string? expectedSha256,
        long maxBytes, bool resume, Action release)
    {
        _catalog = catalog;
        Name = name;
        PartialPath = partialPath;
        AddedBy = addedBy;
        Source = source;
        _expected = expectedSha256;
        _max = maxBytes;
        _release = release;
        _stream = Open(partialPath, resume ? FileMode.OpenOrCreate : FileMode.Create);
        if (resume && _stream.Length > 0) HashExisting();
    }

    public string Name { get; }
    public string PartialPath { get; }
    public string AddedBy { get; }
    public string Source { get; }

    /// <summary>The bytes written so far (for a resumed download: the ones it started with too).</summary>
    public long Length { get; private set; }

    /// <summary>Set by a download that was interrupted: the partial file stays for a later request of the same URL to resume.</summary>
    public bool KeepPartial { get; set; }

    private static FileStream Open(string path, FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 0, Options = FileOptions.Asynchronous };
        // Served to anyone on the boot networks once in the catalog, as /files/ is: readable, written by the agent alone.
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        return new FileStream(path, options);
    }

    private void HashExisting()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            _stream.Position = 0;
            int n;
            while ((n = _stream.Read(buffer)) > 0) _hash.AppendData(buffer, 0, n);
            Length = _stream.Length;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Appends <paramref name="data"/>; refused (and nothing more written) past the size limit or when the disk is full.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (Length + data.Length > _max)
            throw new CatalogException(CatalogFailure.TooLarge,
                $"image {Name} is larger than media.max_size ({_max.ToString("N0", CultureInfo.InvariantCulture)} bytes); nothing was kept");
        try
        {
            await _stream.WriteAsync(data, cancellation).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw ImageCatalog.Failure(e, PartialPath);
        }
        _hash.AppendData(data.Span);
        Length += data.Length;
    }

    /// <summary>Starts over from no bytes (a server that would not resume sends the whole file again).</summary>
    public void Restart()
    {
        _stream.SetLength(0);
        _stream.Position = 0;
        _hash.Dispose();
        _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Length = 0;
    }

    /// <summary>
    /// Makes the bytes durable, checks them against the SHA-256 given (if any), and puts the image in the catalog.
    /// A mismatch removes everything; so does a failure to commit.
    /// </summary>
    public CatalogImage Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        var sha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (_expected is not null && sha256 != _expected)
            throw new CatalogException(CatalogFailure.ChecksumMismatch,
                $"image {Name} has SHA-256 {sha256}, not {_expected} as given ({Length.ToString("N0", CultureInfo.InvariantCulture)} bytes from {Source}); nothing was kept");
        try
        {
            _stream.Flush(flushToDisk: true);
        }
        catch (IOException e)
        {
            throw ImageCatalog.Failure(e, PartialPath);
        }
        _stream.Dispose();
        var image = _catalog.Commit(this, sha256, Length);
        _done = true;
        return image;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _hash.Dispose();
        if (!_done && !KeepPartial)
        {
            TryDelete(PartialPath);
            TryDelete(PartialPath + ".json");
        }
        _done = true;
        _release();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left in .partial/, which is never listed nor served; a later add of the name replaces it.
        }
    }
}
