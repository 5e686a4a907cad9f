using System.Runtime.InteropServices;

namespace NetbootPi.Hardware.Interop;

internal static partial class Libc
{
    /// <summary>write(2) of <paramref name="count"/> bytes from the start of <paramref name="buffer"/>.</summary>
    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    public static extern nint Write(int fd, byte[] buffer, nint count);
}
