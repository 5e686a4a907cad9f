using System.Runtime.InteropServices;

namespace NetbootPi.Protocols.Interop;

internal static partial class Libc
{
    /// <summary>fsync(2): used on directories, which .NET cannot open as files, to make a rename durable.</summary>
    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static extern int Fsync(int fd);
}
