using System.Runtime.InteropServices;

namespace NetbootPi.Hardware.Interop;

internal static partial class Libc
{
    /// <summary>posix_openpt(3): a new pseudo-terminal's master side (/dev/ptmx); a descriptor, or -1 with errno.</summary>
    [DllImport("libc", EntryPoint = "posix_openpt", SetLastError = true)]
    public static extern int PosixOpenPt(int flags);

    /// <summary>grantpt(3): the slave's owner and mode as the caller's (a no-op with devpts, kept as POSIX asks).</summary>
    [DllImport("libc", EntryPoint = "grantpt", SetLastError = true)]
    public static extern int GrantPt(int fd);

    /// <summary>unlockpt(3): the slave may be opened.</summary>
    [DllImport("libc", EntryPoint = "unlockpt", SetLastError = true)]
    public static extern int UnlockPt(int fd);

    /// <summary>ptsname_r(3): the slave's path into <paramref name="buffer"/>, NUL-terminated; 0 or an errno.</summary>
    [DllImport("libc", EntryPoint = "ptsname_r")]
    public static extern int PtsNameR(int fd, byte[] buffer, nuint length);

    /// <summary>ioctl(2) with a struct winsize (four u16: rows, columns, x and y pixels).</summary>
    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static extern int Ioctl(int fd, nuint request, ref WinSize argument);

    // <asm-generic/ioctls.h>: TIOCSWINSZ is one of the tty ioctls that predate _IOW and keep their old numbers, the
    // same on x86-64 and arm64.
    public const nuint TIOCSWINSZ = 0x5414;
    public const short POLLHUP = 0x010;
    public const int EIO = 5;

    [StructLayout(LayoutKind.Sequential)]
    public struct WinSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }
}
