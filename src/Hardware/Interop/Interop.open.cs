using System.Runtime.InteropServices;

namespace NetbootPi.Hardware.Interop;

internal static partial class Libc
{
    // <fcntl.h>, the same on every architecture the agent runs on.
    public const int O_WRONLY = 0x0001;
    public const int O_RDWR = 0x0002;
    public const int O_CLOEXEC = 0x80000;

    /// <summary>open(2) with a NUL-terminated UTF-8 path; a descriptor, or -1 with errno.</summary>
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    public static extern int Open(byte[] path, int flags);

    public static byte[] PathBytes(string path)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(path) + 1];
        System.Text.Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }
}
