using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NetbootPi.Agent.Storage;

/// <summary>
/// The path the kernel actually opened, with every symlink and <c>..</c> resolved: read back from
/// <c>/proc/self/fd/N</c> of an open descriptor, so it describes the very file being served and not a name
/// that could be swapped between a check and the open.
/// </summary>
public static partial class RealPath
{
    public static string? Of(SafeFileHandle handle) => ReadProcLink(handle.DangerousGetHandle().ToInt32());

    /// <summary>The real path of a file or directory, or null when it cannot be opened.</summary>
    public static string? Of(string path)
    {
        var fd = Open(path, 0); // O_RDONLY: also opens directories, which FileStream refuses
        if (fd < 0) return null;
        try
        {
            return ReadProcLink(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or inside it (both real paths).</summary>
    public static bool IsWithin(string path, string root) =>
        path == root || path.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal);

    private static string? ReadProcLink(int fd)
    {
        try
        {
            return new FileInfo("/proc/self/fd/" + fd.ToString(CultureInfo.InvariantCulture)).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
