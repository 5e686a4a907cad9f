using System.Runtime.InteropServices;

namespace NetbootPi.Protocols.Interop;

internal static partial class Libc
{
    // <linux/openat2.h>; the system call number is the same on every architecture (asm-generic and x86_64 alike).
    public const long SYS_openat2 = 437;
    public const ulong RESOLVE_NO_MAGICLINKS = 0x02;
    public const ulong RESOLVE_BENEATH = 0x08;
    public const ulong RESOLVE_IN_ROOT = 0x10;

    /// <summary>struct open_how (Linux 5.6).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>
    /// openat2(2) through syscall(2), which glibc has no wrapper for; returns a descriptor or -1 (errno via
    /// GetLastPInvokeError). syscall(2) is written in assembly on x86_64 and arm64 and reads no variadic
    /// register state, so a fixed-argument declaration is safe.
    /// </summary>
    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static extern long OpenAt2(long number, int dirfd, byte[] path, ref OpenHow how, nuint size);

    /// <summary>openat(2) relative to a directory descriptor; returns a descriptor or -1.</summary>
    [DllImport("libc", EntryPoint = "openat", SetLastError = true)]
    public static extern int OpenAt(int dirfd, byte[] path, int flags);
}
