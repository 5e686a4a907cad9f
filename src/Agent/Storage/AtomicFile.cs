using NetbootPi.Protocols.Interop;

namespace NetbootPi.Agent.Storage;

/// <summary>
/// Replaces files so that a reader (or a power cut) sees the old content or the new, never a mix: write a
/// temporary file beside the target, fsync it, rename it over the target, fsync the directory so the rename
/// itself is durable.
/// </summary>
public static class AtomicFile
{
    /// <summary>A temporary name in the target's directory; hidden (leading dot), so no listing or server shows it.</summary>
    public static string TemporaryPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    /// <summary>Renames a complete, already fsynced <paramref name="temporary"/> file over <paramref name="path"/>.</summary>
    public static void Commit(string temporary, string path)
    {
        File.Move(temporary, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(path)!);
    }

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> atomically; a new file gets
    /// <paramref name="mode"/> (less the umask) from its creation on, so a secret is never readable by others,
    /// not even for a moment.
    /// </summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content, UnixFileMode? mode = null)
    {
        var tmp = TemporaryPathFor(path);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (mode is { } m && !OperatingSystem.IsWindows()) options.UnixCreateMode = m;
            using (var s = new FileStream(tmp, options))
            {
                s.Write(content);
                s.Flush(flushToDisk: true);
            }
            Commit(tmp, path);
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    /// <summary>fsync(2) on a directory: makes creations, renames and deletions in it durable.</summary>
    public static void SyncDirectory(string directory) => DirectorySync.Flush(directory);
}
