using System.Runtime.InteropServices;

namespace NetbootPi.Protocols.Interop;

internal static partial class Libc
{
    // <fcntl.h>: these are the generic values, identical on x86_64 and arm64 ...
    public const int O_RDONLY = 0x0000;
    public const int O_NOCTTY = 0x0100;
    public const int O_NONBLOCK = 0x0800;
    public const int O_CLOEXEC = 0x80000;
    public const int O_PATH = 0x200000;

    // ... but arm64 (like 32-bit arm) has its own O_DIRECTORY: 0x10000 there is O_DIRECT (arch/arm64/include/uapi/asm/fcntl.h).
    public static readonly int O_DIRECTORY =
        RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;

    // O_NOFOLLOW likewise: 0x20000 generic, 0x8000 on arm64 and arm.
    public static readonly int O_NOFOLLOW =
        RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    /// <summary>open(2) with a NUL-terminated UTF-8 path; returns a descriptor or -1 (errno via GetLastPInvokeError).</summary>
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    public static extern int Open(byte[] path, int flags);
}
