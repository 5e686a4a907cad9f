using System.Runtime.InteropServices;

namespace NetbootPi.Hardware.Interop;

internal static partial class Libc
{
    // <poll.h>, <asm-generic/errno.h>: the same on x86-64 and arm64.
    public const short POLLIN = 0x001;
    public const short POLLPRI = 0x002;
    public const short POLLOUT = 0x004;
    public const short POLLERR = 0x008;
    public const int O_NONBLOCK = 0x800;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENODEV = 19;
    public const int ESHUTDOWN = 108;
    public const int EPERM = 1;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>pread(2) into <paramref name="buffer"/> from <paramref name="offset"/>: a sysfs attribute read again after a notification.</summary>
    [DllImport("libc", EntryPoint = "pread", SetLastError = true)]
    public static extern nint PRead(int fd, byte[] buffer, nuint count, long offset);

    /// <summary>poll(2) of one descriptor: 1 ready, 0 timed out, -1 with errno.</summary>
    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static extern int Poll(ref PollFd fd, nuint count, int timeoutMilliseconds);
}
