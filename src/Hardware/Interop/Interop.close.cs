using System.Runtime.InteropServices;

namespace NetbootPi.Hardware.Interop;

internal static partial class Libc
{
    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    public static extern int Close(int fd);
}
