using System.Collections.Concurrent;
using NetbootPi.Protocols.Files;

namespace NetbootPi.Agent.Http;

/// <summary>Why a file request was not answered with the file.</summary>
public enum FileRefusal
{
    None,
    /// <summary>The name is not a plain relative path: empty or dot segments, backslashes, leftover escapes, control characters.</summary>
    BadName,
    NotFound,
    /// <summary>The name resolves (through a symlink) to somewhere outside the served root.</summary>
    OutsideRoot,
}

/// <summary>
/// Opens files under a root for serving, and only those: the name is checked as text first, then opened
/// beneath the root's directory so that nothing outside it can be reached (<see cref="ServedRoot"/>: the
/// kernel's RESOLVE_BENEATH, or the opened file's real path where the kernel cannot tell).
/// </summary>
public static class SafeFiles
{
    // Roots are the site's directories (data, TFTP, cache, one per host with an overlay): few, but bounded
    // anyway; each holds its directory open.
    private const int MaxRoots = 256;
    private static readonly ConcurrentDictionary<string, ServedRoot> Roots = new(StringComparer.Ordinal);

    public static FileRefusal TryOpen(string root, string relative, out ServedFile file)
    {
        file = default;
        if (!IsPlainRelativePath(relative)) return FileRefusal.BadName;
        if (Roots.Count >= MaxRoots) Roots.Clear();
        var served = Roots.GetOrAdd(root, static r => new ServedRoot(r));
        switch (served.Open(relative, out var handle))
        {
            case BeneathOpen.NotFound: return FileRefusal.NotFound;
            case BeneathOpen.OutsideRoot: return FileRefusal.OutsideRoot;
        }
        // Only regular files: a directory opens fine with O_RDONLY, and a FIFO or device is no boot artifact.
        if (ReadOnlyFile.Status(handle!) is not { IsRegularFile: true } status)
        {
            handle!.Dispose();
            return FileRefusal.NotFound;
        }
        file = new ServedFile(handle!, status.Length, status.LastWriteUtc);
        return FileRefusal.None;
    }

    /// <summary>
    /// Segments of letters, digits and punctuation, none empty, none starting with a dot (which also covers
    /// <c>.</c>, <c>..</c> and the hidden temporary files of atomic writes). The HTTP server has already decoded
    /// percent escapes except <c>%2F</c>; a '%' left over means an escaped slash, refused rather than guessed at.
    /// </summary>
    public static bool IsPlainRelativePath(string relative)
    {
        if (relative.Length == 0 || relative.Length > 1024) return false;
        foreach (var segment in relative.Split('/'))
        {
            if (segment.Length == 0 || segment[0] == '.') return false;
            foreach (var c in segment)
                if (c < 0x20 || c == 0x7f || c is '\\' or '%') return false;
        }
        return true;
    }
}
