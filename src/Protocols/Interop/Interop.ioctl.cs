using System.Runtime.InteropServices;

namespace NetbootPi.Protocols.Interop;

internal static partial class Libc
{
    /// <summary>
    /// ioctl(2) with a pointer argument: <paramref name="argument"/> is passed as a pointer to its first byte
    /// (a blittable array is pinned for the call), laid out by the caller exactly as the kernel's struct.
    /// Variadic in C; on Linux x86_64 and arm64 a variadic pointer travels like a fixed one.
    /// </summary>
    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static extern int Ioctl(int fd, nuint request, byte[] argument);
}
