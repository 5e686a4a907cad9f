using System.Runtime.InteropServices;

namespace NetbootPi.Protocols.Interop;

internal static partial class Libc
{
    /// <summary>recvmmsg(2): several datagrams in one call (<see cref="DatagramBatch"/>); pointers to native memory.</summary>
    [DllImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static extern int Recvmmsg(int fd, nint messages, uint count, int flags, nint timeout);
}
