using System.Runtime.InteropServices;

namespace NetbootPi.Hardware.Interop;

internal static partial class Libc
{
    /// <summary>ioctl(2) whose argument is a pointer to one int (the kernel reads or writes it).</summary>
    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static extern int Ioctl(int fd, nuint request, ref int argument);

    /// <summary>
    /// ioctl(2) whose argument is a pointer to a struct, laid out by the caller in <paramref name="argument"/>
    /// exactly as the kernel's (a blittable array is pinned for the call).
    /// </summary>
    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static extern int Ioctl(int fd, nuint request, byte[] argument);

    /// <summary>The last call's errno, worded by libc (strerror(3)): a sentence even without the runtime's texts.</summary>
    public static string LastError(out int errno)
    {
        errno = Marshal.GetLastPInvokeError();
        return Marshal.GetPInvokeErrorMessage(errno);
    }

    public const int EBUSY = 16;
    public const int ENOENT = 2;
    public const int EACCES = 13;
    public const int ENOTTY = 25;
    public const int EINVAL = 22;
}
