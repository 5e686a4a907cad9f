using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace NetbootPi.Protocols.Interop;

/// <summary>
/// Opens an existing file for reading with one open(2) and nothing else. <see cref="FileStream"/> and
/// <c>File.OpenHandle</c> add an advisory flock(2) per open on Linux (a syscall per served file, and a
/// refusal when some writer holds an exclusive lock) and, when asked for asynchronous I/O, emulate it on
/// the thread pool; a server reading with <see cref="RandomAccess"/> needs neither.
/// </summary>
public static class ReadOnlyFile
{
    /// <summary>
    /// The open file, or null when it cannot be opened. O_NONBLOCK keeps a FIFO planted under a served root
    /// from hanging the caller in open(2); it changes nothing for regular files.
    /// </summary>
    public static SafeFileHandle? Open(string path)
    {
        var fd = Libc.Open(Libc.PathBytes(path), Libc.O_RDONLY | Libc.O_CLOEXEC | Libc.O_NOCTTY | Libc.O_NONBLOCK);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    private static readonly byte[] EmptyPath = [0];

    /// <summary>
    /// Type, length and modification time of an open file in one statx(2); .NET's handle APIs take an
    /// fstat(2) for each, plus a geteuid(2) for the attributes. Null when the call fails.
    /// </summary>
    public static FileStatus? Status(SafeFileHandle handle)
    {
        var buffer = Libc.StatxBuffer;
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (Libc.Statx(handle.DangerousGetHandle().ToInt32(), EmptyPath, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, buffer) != 0) return null;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(Libc.StatxModeOffset));
        var size = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(Libc.StatxSizeOffset));
        var seconds = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(Libc.StatxMtimeOffset));
        var nanoseconds = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(Libc.StatxMtimeOffset + 8));
        var modified = DateTime.UnixEpoch.AddTicks(seconds * TimeSpan.TicksPerSecond + nanoseconds / 100);
        return new FileStatus((mode & Libc.S_IFMT) == Libc.S_IFREG, size, modified);
    }
}
