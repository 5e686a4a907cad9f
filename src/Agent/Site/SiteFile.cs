using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

/// <summary>The result of reading a site file: a snapshot, or every error found.</summary>
public sealed record SiteLoadResult(SiteInventory? Inventory, IReadOnlyList<SiteError> Errors)
{
    public bool IsValid => Inventory is not null;
}

/// <summary>Reads and validates site files.</summary>
public static class SiteFile
{
    public const string DefaultPath = "/etc/netbootpi/site.yaml";

    // A site file is a few KB; a cap keeps a wrong path (a disk image, /dev/zero) from being read whole.
    private const long MaxBytes = 4 * 1024 * 1024;

    public static SiteLoadResult Load(string path)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxBytes)
                return Fail(path, $"the file is {info.Length} bytes (expected a site file under {MaxBytes / 1024 / 1024} MiB)");
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(path, $"cannot read the file: {e.Message}");
        }
        return Parse(path, text);
    }

    public static SiteLoadResult Parse(string fileName, string text)
    {
        var errors = new List<SiteError>();
        var root = YamlTreeReader.Read(fileName, new StringReader(text), errors);
        var inventory = errors.Count == 0 || root is not null ? SiteReader.Read(root, fileName, errors) : null;
        // Stable: errors at one place keep the order they were found in.
        var sorted = errors.OrderBy(e => e.Location.Line).ThenBy(e => e.Location.Column).ToList();
        return new SiteLoadResult(sorted.Count == 0 ? inventory : null, sorted);
    }

    private static SiteLoadResult Fail(string path, string message) =>
        new(null, [new SiteError(new SourceLocation(path, 1, 1), "(file)", message)]);
}
