using System.Runtime.InteropServices;

namespace NetbootPi.Protocols.Interop;

internal static partial class Libc
{
    // <fcntl.h>, <linux/stat.h>: identical on every Linux architecture, and so is struct statx (unlike struct
    // stat, whose layout differs between x86_64 and arm64) — the reason to use statx here.
    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_BASIC_STATS = 0x7ff;
    public const int StatxSize = 256;
    public const int StatxModeOffset = 28;      // __u16 stx_mode
    public const int StatxInoOffset = 32;       // __u64 stx_ino
    public const int StatxSizeOffset = 40;      // __u64 stx_size
    public const int StatxMtimeOffset = 112;    // struct statx_timestamp { __s64 tv_sec; __u32 tv_nsec; } stx_mtime
    public const int StatxDevMajorOffset = 136; // __u32 stx_dev_major, then __u32 stx_dev_minor
    public const int AT_FDCWD = -100;
    public const int S_IFMT = 0xf000;
    public const int S_IFREG = 0x8000;

    /// <summary>statx(2) (glibc 2.28, musl 1.2.5); <paramref name="buffer"/> receives a struct statx of <see cref="StatxSize"/> bytes.</summary>
    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    public static extern int Statx(int dirfd, byte[] path, int flags, uint mask, byte[] buffer);
}
