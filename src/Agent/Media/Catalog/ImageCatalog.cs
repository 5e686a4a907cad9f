using System.Collections.Concurrent;
using System.Text.Json;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Files;

namespace NetbootPi.Agent.Media.Catalog;

/// <summary>
/// The image catalog: the files directly in <c>DATA_DIR/images/</c>, one catalog for the USB gadget's media and for
/// network boot (<c>/images/NAME</c> over HTTP). An image is added only whole: its bytes go to
/// <c>images/.partial/</c> (hidden, so never listed nor served), are fsynced, checked (size limit, SHA-256), and then
/// renamed in; its metadata (<c>images/.meta/NAME.json</c>) is written atomically before that rename, so a listed
/// image always has the metadata of its own bytes. The data directory is the running site's (read at each call).
/// </summary>
public sealed class ImageCatalog(SiteState state, IAtomicFiles files, TimeProvider time)
{
    public const string FolderName = "images";
    internal const string PartialFolder = ".partial";
    internal const string MetaFolder = ".meta";

    // Names being added now: a second add of one of them is refused at once rather than racing to the rename.
    private readonly ConcurrentDictionary<string, bool> _adding = new(StringComparer.Ordinal);

    /// <summary>The catalog's directory: <c>server.data_dir/images</c>.</summary>
    public string Root => Path.Combine(state.Current.Server.DataDirectory, FolderName);

    internal string PartialRoot => Path.Combine(Root, PartialFolder);

    /// <summary>The largest image the site allows (<c>media.max_size</c>).</summary>
    public long MaxImageBytes => state.Current.Media.MaxImageBytes;

    public TimeProvider Time => time;

    /// <summary>Every image, by name; an empty list when the directory does not exist yet.</summary>
    public IReadOnlyList<CatalogImage> List()
    {
        var root = Root;
        if (!Directory.Exists(root)) return [];
        var images = new List<CatalogImage>();
        foreach (var path in Directory.EnumerateFiles(root))
        {
            var name = Path.GetFileName(path);
            if (ImageName.Refusal(name) is not null) continue;
            if (Describe(root, name) is { } image) images.Add(image);
        }
        images.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return images;
    }

    /// <summary>The image named <paramref name="name"/>, or null.</summary>
    public CatalogImage? Find(string name) => ImageName.Refusal(name) is null ? Describe(Root, name) : null;

    private static CatalogImage? Describe(string root, string name)
    {
        var info = new FileInfo(Path.Combine(root, name));
        // A symlink or anything else put there by hand is not served (SafeFiles) and not listed.
        if (!info.Exists || info.LinkTarget is not null) return null;
        var meta = ReadMeta(Path.Combine(root, MetaFolder, name + ".json"));
        // Metadata of other bytes (the file replaced by hand since) says nothing about these.
        if (meta is not null && meta.Size != info.Length) meta = null;
        return new CatalogImage(name, info.Length, meta?.Sha256, meta?.Added ?? new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero),
            meta?.AddedBy, meta?.Source);
    }

    private static ImageMeta? ReadMeta(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), CatalogJson.Default.ImageMeta);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Starts adding <paramref name="name"/>: refused when the name is not valid, or an image of that name exists or
    /// is being added. Write the bytes to the returned <see cref="ImageWrite"/>, then commit it; disposing it
    /// uncommitted removes every byte written. <paramref name="partialName"/> names the file in <c>.partial/</c>
    /// (a download's is its image name, so an interrupted one can be resumed; an upload's is unique).
    /// </summary>
    public ImageWrite BeginAdd(string name, string addedBy, string source, string? expectedSha256, string? partialName = null, bool resume = false)
    {
        if (ImageName.Refusal(name) is { } bad) throw new CatalogException(CatalogFailure.BadName, bad);
        var expected = NormalizeSha256(expectedSha256);
        if (!_adding.TryAdd(name, true))
            throw new CatalogException(CatalogFailure.Exists, $"image {name} is being added already (netbootpi media list shows it once it is there)");
        try
        {
            var root = Root;
            if (File.Exists(Path.Combine(root, name)))
                throw new CatalogException(CatalogFailure.Exists, $"image {name} exists in {root} (remove it first: netbootpi media remove {name})");
            Directory.CreateDirectory(Path.Combine(root, PartialFolder));
            Directory.CreateDirectory(Path.Combine(root, MetaFolder));
            var partial = Path.Combine(root, PartialFolder, partialName ?? $"upload-{Guid.NewGuid():N}");
            return new ImageWrite(this, name, partial, addedBy, source, expected, MaxImageBytes, resume, () => _adding.TryRemove(name, out _));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _adding.TryRemove(name, out _);
            throw Failure(e, Root);
        }
        catch
        {
            _adding.TryRemove(name, out _);
            throw;
        }
    }

    /// <summary>Puts a finished write in: its metadata first (atomically), then its bytes by rename. Called by <see cref="ImageWrite"/>.</summary>
    internal CatalogImage Commit(ImageWrite write, string sha256, long size)
    {
        var root = Path.GetDirectoryName(Path.GetDirectoryName(write.PartialPath)!)!;
        var target = Path.Combine(root, write.Name);
        var meta = new ImageMeta(sha256, size, time.GetUtcNow(), write.AddedBy, write.Source);
        try
        {
            if (File.Exists(target))
                throw new CatalogException(CatalogFailure.Exists, $"image {write.Name} appeared in {root} meanwhile (it was copied in by hand?); nothing was replaced");
            files.Write(Path.Combine(root, MetaFolder, write.Name + ".json"), JsonSerializer.SerializeToUtf8Bytes(meta, CatalogJson.Default.ImageMeta));
            // Without overwrite the runtime links then unlinks: an image that appeared meanwhile is never replaced.
            File.Move(write.PartialPath, target, overwrite: false);
            DirectorySync.Flush(root);
            DirectorySync.Flush(Path.Combine(root, PartialFolder));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure(e, target);
        }
        return new CatalogImage(write.Name, size, sha256, meta.Added, meta.AddedBy, meta.Source);
    }

    /// <summary>
    /// Removes the image <paramref name="name"/> and its metadata; an interrupted download of that name goes too.
    /// Whoever has the file open (an HTTP download in progress, the USB gadget) keeps reading the old bytes until
    /// they close it. Returns what was removed, as a sentence.
    /// </summary>
    public string Remove(string name)
    {
        if (ImageName.Refusal(name) is { } bad) throw new CatalogException(CatalogFailure.BadName, bad);
        // Its partial file is being written: removing it under the writer would only make the add fail later.
        if (_adding.ContainsKey(name))
            throw new CatalogException(CatalogFailure.Exists, $"image {name} is being added now; remove it once that has ended (netbootpi media list)");
        var root = Root;
        try
        {
            var image = files.Delete(Path.Combine(root, name));
            files.Delete(Path.Combine(root, MetaFolder, name + ".json"));
            var partial = files.Delete(Path.Combine(root, PartialFolder, name));
            files.Delete(Path.Combine(root, PartialFolder, name + ".json"));
            if (!image && !partial) throw new CatalogException(CatalogFailure.NotFound, $"no image named {name} in {root} (netbootpi media list shows them)");
            return image ? $"removed image {name}" : $"removed the interrupted download of {name}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure(e, Path.Combine(root, name));
        }
    }

    /// <summary>
    /// Removes the parts of interrupted downloads that nobody resumed within <paramref name="age"/> (by their last
    /// write), with the URL kept beside each; a name being added now is left alone. Returns the names removed.
    /// </summary>
    public IReadOnlyList<string> RemoveStalePartials(TimeSpan age)
    {
        var partials = PartialRoot;
        if (!Directory.Exists(partials)) return [];
        var before = time.GetUtcNow() - age;
        var removed = new List<string>();
        foreach (var path in Directory.EnumerateFiles(partials))
        {
            var name = Path.GetFileName(path);
            // The URL beside a part goes with it; one whose part is gone already goes on its own.
            if (name.EndsWith(".json", StringComparison.Ordinal) && File.Exists(path[..^5])) continue;
            if (_adding.ContainsKey(name.EndsWith(".json", StringComparison.Ordinal) ? name[..^5] : name)) continue;
            if (new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero) > before) continue;
            try
            {
                files.Delete(path);
                if (!name.EndsWith(".json", StringComparison.Ordinal))
                {
                    files.Delete(path + ".json");
                    removed.Add(name);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Failure(e, path);
            }
        }
        return removed;
    }

    /// <summary>64 hex digits, lowercased; null for none. Anything else is refused as a bad request.</summary>
    public static string? NormalizeSha256(string? sha256)
    {
        if (string.IsNullOrWhiteSpace(sha256)) return null;
        var s = sha256.Trim();
        if (s.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase)) s = s[7..];
        if (s.Length != 64 || !s.All(char.IsAsciiHexDigit))
            throw new CatalogException(CatalogFailure.BadRequest, $"'{(s.Length > 70 ? s[..70] + "..." : s)}' is not a SHA-256 (expected 64 hex digits, as sha256sum prints)");
        return s.ToLowerInvariant();
    }

    /// <summary>A file system error as the catalog reports it: disk full on its own (the client can act on it), else with the path.</summary>
    internal static CatalogException Failure(Exception e, string path)
    {
        if (e is CatalogException c) return c;
        // ENOSPC, EDQUOT: errno in the HResult on Linux.
        if (e is IOException { HResult: 28 or 122 })
            return new CatalogException(CatalogFailure.DiskFull,
                $"the file system holding {path} is full (df {Path.GetDirectoryName(path)}; remove images with netbootpi media remove NAME); nothing was kept", e);
        return new CatalogException(CatalogFailure.Io, $"the catalog could not write {FileErrors.Describe(e, path)}", e);
    }
}
