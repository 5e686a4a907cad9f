using NetbootPi.Agent.Os.Files;
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
    public const long MaxBytes = 4 * 1024 * 1024;

    public static SiteLoadResult Load(string path)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (Directory.Exists(path)) return Fail(path, "cannot read the file: it is a directory");
            if (info.Exists && info.Length > MaxBytes)
                return Fail(path, $"the file is {info.Length} bytes (expected a site file under {MaxBytes / 1024 / 1024} MiB)");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(path, $"cannot read the file: {FileErrors.Reason(e, path)}");
        }
        return Decode(path, bytes, out var text) is { } error ? new SiteLoadResult(null, [error]) : Parse(path, text);
    }

    /// <summary>The site read from <paramref name="bytes"/> (UTF-8, as a file or standard input gives them).</summary>
    public static SiteLoadResult Parse(string fileName, byte[] bytes) =>
        bytes.Length > MaxBytes
            ? Fail(fileName, $"the input is {bytes.Length} bytes (expected a site file under {MaxBytes / 1024 / 1024} MiB)")
            : Decode(fileName, bytes, out var text) is { } error ? new SiteLoadResult(null, [error]) : Parse(fileName, text);

    /// <summary>
    /// UTF-8 text, strictly: a byte that is not UTF-8 (a Latin-1 file, a binary) is an error at its position
    /// rather than a replacement character that shows up later as a name nobody typed.
    /// </summary>
    private static SiteError? Decode(string fileName, byte[] bytes, out string text)
    {
        text = "";
        ReadOnlySpan<byte> data = bytes;
        if (data.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) data = data[3..];
        else if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || data.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            return new SiteError(new SourceLocation(fileName, 1, 1), "(file)", "the file is UTF-16 text (expected UTF-8: save it as UTF-8)");
        var status = System.Text.Unicode.Utf8.ToUtf16(data, new char[data.Length], out var read, out _, replaceInvalidSequences: false);
        if (status == System.Buffers.OperationStatus.Done)
        {
            text = Strict.GetString(data);
            // YAML has no NUL (its printable set excludes it), and YamlDotNet reads one as the end of the text.
            var nul = text.IndexOf('\0', StringComparison.Ordinal);
            if (nul < 0) return null;
            var head = text[..nul];
            text = "";
            return new SiteError(new SourceLocation(fileName, head.Count(c => c == '\n') + 1, nul - (head.LastIndexOf('\n') + 1) + 1), "(file)",
                "a NUL byte (expected text: is this a site file, or binary data?)");
        }
        // Line and column of the first bad byte, counted as an editor counts them (characters, not bytes).
        var before = Strict.GetString(data[..read]);
        var line = before.Count(c => c == '\n') + 1;
        var column = before.Length - (before.LastIndexOf('\n') + 1) + 1;
        return new SiteError(new SourceLocation(fileName, line, column), "(file)",
            $"byte 0x{data[read]:X2} is not UTF-8 text (expected UTF-8: is this a Latin-1 file, or not a site file at all?)");
    }

    private static readonly System.Text.UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static SiteLoadResult Parse(string fileName, string text)
    {
        var errors = new List<SiteError>();
        var root = YamlTreeReader.Read(fileName, text, errors);
        var inventory = errors.Count == 0 || root is not null ? SiteReader.Read(root, fileName, errors) : null;
        // Stable: errors at one place keep the order they were found in.
        var sorted = errors.OrderBy(e => e.Location.Line).ThenBy(e => e.Location.Column).ToList();
        return new SiteLoadResult(sorted.Count == 0 ? inventory : null, sorted);
    }

    private static SiteLoadResult Fail(string path, string message) =>
        new(null, [new SiteError(new SourceLocation(path, 1, 1), "(file)", message)]);
}
