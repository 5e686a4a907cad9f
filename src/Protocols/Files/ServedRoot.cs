using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NetbootPi.Protocols.Interop;

namespace NetbootPi.Protocols.Files;

/// <summary>How <see cref="ServedRoot.Open"/> ended.</summary>
public enum BeneathOpen
{
    Opened,
    /// <summary>No such file, or the root itself is missing.</summary>
    NotFound,
    /// <summary>The name resolves (through a symlink) to somewhere outside the root.</summary>
    OutsideRoot,
}

/// <summary>
/// A directory files are served from, and only from: it is held open, and each file is opened beneath it with
/// openat2(2) and RESOLVE_BENEATH, so the kernel itself refuses any resolution that would leave it (<c>..</c>
/// past the top, a symlink pointing out, an absolute symlink). Before each open, one statx(2) of the configured
/// path checks that it still leads to the held directory; a re-pointed symlink, a renamed or replaced directory
/// makes the root be opened afresh.
/// </summary>
/// <remarks>
/// Where the kernel refuses a name (EXDEV), or has no openat2 (before Linux 5.6), the file is opened with a
/// plain openat(2) beneath the held directory and its real path, read back from <c>/proc/self/fd</c>, must lie
/// inside the directory's: that keeps serving absolute symlinks that point inside the root, and refuses the
/// rest with the same answer. That was the only way before: a readlink(2) per file, the most expensive call
/// of a small-file request.
/// </remarks>
public sealed class ServedRoot(string path)
{
    private const int FileFlags = Libc.O_RDONLY | Libc.O_CLOEXEC | Libc.O_NOCTTY | Libc.O_NONBLOCK;
    private const int ENOSYS = 38;
    private const int EXDEV = 18;

    // Set once a kernel answers ENOSYS: every later open takes the openat + readlink way.
    private static volatile bool s_noOpenat2;

    private sealed class Held(SafeFileHandle directory, ulong device, ulong inode)
    {
        public SafeFileHandle Directory { get; } = directory;
        public (ulong, ulong) Identity { get; } = (device, inode);
    }

    // The configured path as the C library takes it: converted once, checked by statx(2) for every file.
    private readonly byte[] _pathBytes = Libc.PathBytes(path);
    private Held? _held;

    public string Path => path;

    /// <summary>
    /// Opens <paramref name="relative"/> (a relative path without empty or dot segments: the caller checks the
    /// name as text first) for reading beneath the root. O_NONBLOCK keeps a FIFO planted under the root from
    /// hanging the caller in open(2).
    /// </summary>
    public BeneathOpen Open(string relative, out SafeFileHandle? file)
    {
        file = null;
        var name = Libc.PathBytes(relative);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var held = Current();
            if (held is null) return BeneathOpen.NotFound;
            var added = false;
            try
            {
                held.Directory.DangerousAddRef(ref added);
            }
            catch (ObjectDisposedException)
            {
                continue; // replaced by another request meanwhile: take the new one
            }
            BeneathOpen result;
            try
            {
                result = OpenIn(held.Directory.DangerousGetHandle().ToInt32(), name, out file);
            }
            finally
            {
                if (added) held.Directory.DangerousRelease();
            }
            // Before refusing, make sure the root did not move between the check and the open.
            if (result != BeneathOpen.OutsideRoot || ReferenceEquals(Current(), held)) return result;
        }
        return BeneathOpen.NotFound;
    }

    private static BeneathOpen OpenIn(int directory, byte[] name, out SafeFileHandle? file)
    {
        file = null;
        int fd;
        if (!s_noOpenat2)
        {
            var how = new Libc.OpenHow { Flags = FileFlags, Resolve = Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_MAGICLINKS };
            fd = (int)Libc.OpenAt2(Libc.SYS_openat2, directory, name, ref how, (nuint)Marshal.SizeOf<Libc.OpenHow>());
            if (fd >= 0)
            {
                file = new SafeFileHandle(fd, ownsHandle: true);
                return BeneathOpen.Opened;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == ENOSYS) s_noOpenat2 = true;
            else if (errno != EXDEV) return BeneathOpen.NotFound;
        }
        fd = Libc.OpenAt(directory, name, FileFlags);
        if (fd < 0) return BeneathOpen.NotFound;
        var opened = new SafeFileHandle(fd, ownsHandle: true);
        var real = RealPath.Of(opened);
        var root = RealPath.OfDescriptor(directory);
        if (real is null || root is null || !RealPath.IsWithin(real, root))
        {
            opened.Dispose();
            return BeneathOpen.OutsideRoot;
        }
        file = opened;
        return BeneathOpen.Opened;
    }

    /// <summary>The held directory while the configured path still leads to it; otherwise the directory it leads to now.</summary>
    private Held? Current()
    {
        var held = Volatile.Read(ref _held);
        var now = IdentityOf(Libc.AT_FDCWD, _pathBytes, 0);
        if (held is not null && now == held.Identity) return held;
        return now is null ? Replace(held, null) : Reopen(held);
    }

    private Held? Reopen(Held? old)
    {
        var fd = Libc.Open(_pathBytes, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        if (fd < 0) return Replace(old, null);
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        // The identity of what was opened, not of what the path names a moment later.
        if (IdentityOf(fd, Libc.EmptyPath, Libc.AT_EMPTY_PATH) is not { } id)
        {
            handle.Dispose();
            return Replace(old, null);
        }
        return Replace(old, new Held(handle, id.Device, id.Inode));
    }

    private Held? Replace(Held? old, Held? fresh)
    {
        if (Interlocked.CompareExchange(ref _held, fresh, old) == old)
        {
            // Requests still opening beneath the old directory hold a reference: the descriptor is closed after them.
            old?.Directory.Dispose();
            return fresh;
        }
        // Another request replaced it first: use theirs.
        fresh?.Directory.Dispose();
        return Volatile.Read(ref _held);
    }

    private static (ulong Device, ulong Inode)? IdentityOf(int dirfd, byte[] name, int flags)
    {
        var buffer = Libc.StatxBuffer;
        if (Libc.Statx(dirfd, name, flags, Libc.STATX_BASIC_STATS, buffer) != 0) return null;
        var inode = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(Libc.StatxInoOffset));
        var major = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(Libc.StatxDevMajorOffset));
        var minor = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(Libc.StatxDevMajorOffset + 4));
        return (((ulong)major << 32) | minor, inode);
    }
}
