using System.Runtime.InteropServices;

namespace NetbootPi.Protocols.Interop;

internal static partial class Libc
{
    /// <summary>readlink(2): the link's target, not NUL-terminated; returns its length or -1.</summary>
    [DllImport("libc", EntryPoint = "readlink", SetLastError = true)]
    public static extern nint ReadLink(byte[] path, byte[] buffer, nint size);

    /// <summary>readlinkat(2): the target of the link <paramref name="path"/> names beneath <paramref name="dirfd"/>; its length or -1 (EINVAL: not a link).</summary>
    [DllImport("libc", EntryPoint = "readlinkat", SetLastError = true)]
    public static extern nint ReadLinkAt(int dirfd, byte[] path, byte[] buffer, nint size);
}
