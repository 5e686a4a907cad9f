using NetbootPi.Protocols.Interop;

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
/// Opens files under a root for serving, and only those: the name is checked as text first, then the
/// opened file's real path must lie inside the root's real path, which catches symlinks pointing out.
/// </summary>
public static class SafeFiles
{
    public static FileRefusal TryOpen(string root, string relative, out FileStream? stream)
    {
        stream = null;
        if (!IsPlainRelativePath(relative)) return FileRefusal.BadName;
        var rootReal = RealPath.Of(root);
        if (rootReal is null) return FileRefusal.NotFound;
        FileStream file;
        try
        {
            // No buffering: the response copies in large blocks anyway. A directory fails to open here.
            file = new FileStream(Path.Combine(rootReal, relative), FileMode.Open, FileAccess.Read,
                FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            return FileRefusal.NotFound;
        }
        var real = RealPath.Of(file.SafeFileHandle);
        if (real is null || !RealPath.IsWithin(real, rootReal))
        {
            file.Dispose();
            return FileRefusal.OutsideRoot;
        }
        stream = file;
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
