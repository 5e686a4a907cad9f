using System.Runtime.InteropServices;

namespace NetbootPi.Agent.Storage;

/// <summary>
/// Replaces files so that a reader (or a power cut) sees the old content or the new, never a mix: write a
/// temporary file beside the target, fsync it, rename it over the target, fsync the directory so the rename
/// itself is durable.
/// </summary>
public static partial class AtomicFile
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

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content)
    {
        var tmp = TemporaryPathFor(path);
        try
        {
            using (var s = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
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
    public static void SyncDirectory(string directory)
    {
        // .NET opens no directories as files, hence the libc calls; O_RDONLY (0) is the same on every arch.
        var fd = Open(directory, 0);
        if (fd < 0) throw new IOException($"cannot open directory {directory} to sync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
