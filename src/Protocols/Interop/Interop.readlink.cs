using System.Runtime.InteropServices;

namespace NetbootPi.Protocols.Interop;

internal static partial class Libc
{
    /// <summary>readlink(2): the link's target, not NUL-terminated; returns its length or -1.</summary>
    [DllImport("libc", EntryPoint = "readlink", SetLastError = true)]
    public static extern nint ReadLink(byte[] path, byte[] buffer, nint size);
}
