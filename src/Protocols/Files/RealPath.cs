using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;
using NetbootPi.Protocols.Interop;

namespace NetbootPi.Protocols.Files;

/// <summary>
/// The path the kernel actually opened, with every symlink and <c>..</c> resolved: read back from
/// <c>/proc/self/fd/N</c> of an open descriptor, so it describes the very file being served and not a name
/// that could be swapped between a check and the open. The confinement check of served files (TFTP, HTTP) where
/// the kernel cannot check beneath the root itself (<see cref="ServedRoot"/>).
/// </summary>
public static class RealPath
{
    public static string? Of(SafeFileHandle handle) => ReadProcLink(handle.DangerousGetHandle().ToInt32());

    /// <summary>The real path of an open descriptor (also an O_PATH one), or null.</summary>
    internal static string? OfDescriptor(int fd) => ReadProcLink(fd);

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or inside it (both real paths).</summary>
    public static bool IsWithin(string path, string root) =>
        path == root || path.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal);

    // PATH_MAX: a longer result is truncated by readlink(2) and treated as unknown.
    private const int MaxPath = 4096;
    [ThreadStatic] private static byte[]? t_link;
    [ThreadStatic] private static byte[]? t_target;

    /// <summary>readlink(2) of <c>/proc/self/fd/N</c> into reused buffers: this runs for every file served.</summary>
    private static string? ReadProcLink(int fd)
    {
        var link = t_link ??= new byte[32];
        var target = t_target ??= new byte[MaxPath];
        "/proc/self/fd/"u8.CopyTo(link);
        fd.TryFormat(link.AsSpan(14), out var digits, provider: CultureInfo.InvariantCulture);
        link[14 + digits] = 0;
        var length = Libc.ReadLink(link, target, target.Length);
        return length <= 0 || length >= target.Length ? null : Encoding.UTF8.GetString(target, 0, (int)length);
    }
}
