using System.Text;

namespace NetbootPi.Protocols.Interop;

internal static partial class Libc
{
    /// <summary>A path as the C library takes it: UTF-8, NUL-terminated.</summary>
    public static byte[] PathBytes(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    /// <summary>"" for the *at calls given AT_EMPTY_PATH: the call is about the descriptor itself.</summary>
    public static readonly byte[] EmptyPath = [0];

    [ThreadStatic] private static byte[]? t_statx;

    /// <summary>A struct statx buffer for this thread, reused by every statx(2) call made on it.</summary>
    public static byte[] StatxBuffer => t_statx ??= new byte[StatxSize];
}
