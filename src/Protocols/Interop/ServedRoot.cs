using System.Buffers.Binary;

namespace NetbootPi.Protocols.Interop;

/// <summary>
/// A directory files are served from, and its real path for <see cref="RealPath.IsWithin"/> checks without
/// resolving it again for every file: the real path is kept with the directory's identity (device and inode)
/// and reused only while both the configured path and the kept real path still lead to that same directory —
/// two statx(2) calls (one when the configured path is already real) instead of open, a readlink through /proc
/// and close. A re-pointed symlink, a renamed or replaced directory changes an identity and the path is resolved
/// afresh; the guarantee is the one <see cref="RealPath.Of(string)"/> gives at that moment.
/// </summary>
public sealed class ServedRoot(string path)
{
    private sealed record Resolved(string Real, ulong Device, ulong Inode);

    private Resolved? _resolved;

    public string Path => path;

    /// <summary>The directory's real path now, or null when it cannot be opened.</summary>
    public string? RealPath()
    {
        if (Volatile.Read(ref _resolved) is { } r && IdentityOf(path) is { } now && now == (r.Device, r.Inode)
            && (ReferenceEquals(r.Real, path) || IdentityOf(r.Real) == now))
            return r.Real;
        return Resolve();
    }

    /// <summary>Resolves the real path afresh, as after a change; for a caller that wants to be sure before refusing.</summary>
    public string? Resolve()
    {
        var real = Interop.RealPath.Of(path);
        if (real is null)
        {
            Volatile.Write(ref _resolved, null);
            return null;
        }
        // Whatever is kept is verified again at each use, so a change between these two calls costs a fresh
        // resolution later, never a wrong answer.
        Volatile.Write(ref _resolved, IdentityOf(real) is { } id
            ? new Resolved(real == path ? path : real, id.Device, id.Inode)
            : null);
        return real;
    }

    private static (ulong Device, ulong Inode)? IdentityOf(string p)
    {
        var buffer = Libc.StatxBuffer;
        if (Libc.Statx(Libc.AT_FDCWD, Libc.PathBytes(p), 0, Libc.STATX_BASIC_STATS, buffer) != 0) return null;
        var inode = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(Libc.StatxInoOffset));
        var major = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(Libc.StatxDevMajorOffset));
        var minor = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(Libc.StatxDevMajorOffset + 4));
        return (((ulong)major << 32) | minor, inode);
    }
}
