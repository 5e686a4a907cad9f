using NetbootPi.Agent.Media.Catalog;

namespace NetbootPi.Agent.Kvm;

/// <summary>
/// The images the virtual drive may be given: files in <c>DATA_DIR/images/</c> (the image catalog's folder), named
/// by their file name alone. Confined: no path separators, no <c>.</c> or <c>..</c>, no hidden or partial files,
/// no links; anything else is refused with why. No absolute paths, not even for admins: the drive can be
/// read-write, and a path would let the console host read or write any file of the box (its own SD card's device
/// included); an image goes into the catalog first.
/// </summary>
public static class MediaImages
{
    /// <summary>The catalog's folder: the drive is given what the catalog keeps.</summary>
    public static string Folder(string dataDirectory) => Path.Combine(dataDirectory, ImageCatalog.FolderName);

    /// <summary>The image's full path, or false and a sentence saying why not.</summary>
    public static bool TryResolve(string dataDirectory, string name, out string path, out string error)
    {
        path = "";
        error = "";
        var folder = Folder(dataDirectory);
        if (name.Length == 0 || name.Length > 255)
        {
            error = "the image name is empty or longer than 255 characters";
            return false;
        }
        if (name.Contains('/') || name.Contains('\0') || name is "." or ".." || name.StartsWith('.'))
        {
            error = $"'{name}' is not an image name: give the file name of an image in {folder} (no '/', not starting with '.')";
            return false;
        }
        var candidate = Path.Combine(folder, name);
        var info = new FileInfo(candidate);
        if (!info.Exists)
        {
            var names = Directory.Exists(folder)
                ? Directory.EnumerateFiles(folder).Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).Take(10).ToArray()
                : [];
            error = names.Length == 0
                ? $"no image {name} in {folder} (it has no images yet)"
                : $"no image {name} in {folder} (it has {string.Join(", ", names)}{(names.Length == 10 ? ", ..." : "")})";
            return false;
        }
        if (info.LinkTarget is not null)
        {
            error = $"{candidate} is a symbolic link; the drive is given files in {folder} only, not what a link points to";
            return false;
        }
        path = candidate;
        return true;
    }

    /// <summary>
    /// Whether the file holds an ISO 9660 file system: "CD001" after the type byte of the first volume descriptor, at
    /// sector 16 (ECMA-119 §8.1, byte 32,769). A hybrid ISO has it too; a disk image does not.
    /// </summary>
    public static bool IsIso9660(string path)
    {
        Span<byte> id = stackalloc byte[5];
        try
        {
            using var file = File.OpenHandle(path);
            return RandomAccess.Read(file, id, 32_769) == 5 && id.SequenceEqual("CD001"u8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
