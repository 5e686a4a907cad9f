using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using NetbootPi.Protocols.Interop;

namespace NetbootPi.Protocols.Files;

/// <summary>
/// What a server needs of a file it opened itself with open(2) (see <see cref="ServedRoot"/>): <see cref="FileStream"/>
/// and <c>File.OpenHandle</c> add an advisory flock(2) per open on Linux (a syscall per served file, and a refusal
/// when some writer holds an exclusive lock); a server reading with <see cref="RandomAccess"/> needs neither.
/// </summary>
public static class ReadOnlyFile
{
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
            if (Libc.Statx(handle.DangerousGetHandle().ToInt32(), Libc.EmptyPath, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, buffer) != 0) return null;
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
