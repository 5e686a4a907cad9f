using System.Runtime.InteropServices;

namespace NetbootPi.Hardware.Interop;

internal static partial class Libc
{
    // <fcntl.h>: O_NOCTTY, so that opening a serial line never makes it the agent's controlling terminal.
    public const int O_NOCTTY = 0x100;

    // <termios.h> (glibc, the same on x86-64 and arm64): struct termios is four u32 flags, c_line, c_cc[32], then
    // the two speeds: 60 bytes. The functions below fill and read it; only c_cc is touched here directly.
    public const int TermiosSize = 60;
    public const int TermiosCflagOffset = 8;
    public const int TermiosCcOffset = 17;
    public const uint CREAD = 0x80;
    public const uint CLOCAL = 0x800;
    public const int VTIME = 5;
    public const int VMIN = 6;
    public const int TCSANOW = 0;

    [DllImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    public static extern int TcGetAttr(int fd, byte[] termios);

    [DllImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    public static extern int TcSetAttr(int fd, int optionalActions, byte[] termios);

    [DllImport("libc", EntryPoint = "cfmakeraw")]
    public static extern void CfMakeRaw(byte[] termios);

    [DllImport("libc", EntryPoint = "cfsetspeed", SetLastError = true)]
    public static extern int CfSetSpeed(byte[] termios, uint speed);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    public static extern nint Read(int fd, ref byte buffer, nuint count);
}
