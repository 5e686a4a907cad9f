using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NetbootPi.Agent.Control;

/// <summary>
/// Who is at the other end of a unix socket, as the kernel recorded it when they connected (SO_PEERCRED,
/// socket(7)): not something the caller says about itself, so nothing it can forge.
/// </summary>
public readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid)
{
    // <asm-generic/socket.h>: the same on x86-64 and arm64.
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>The peer of a connected unix socket; null for any other socket or when the kernel will not say.</summary>
    public static PeerCredentials? Of(Socket socket)
    {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }: three native 32-bit integers.
        Span<byte> ucred = stackalloc byte[12];
        try
        {
            if (socket.AddressFamily != AddressFamily.Unix || socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) != ucred.Length)
                return null;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return null;
        }
        return new PeerCredentials(MemoryMarshal.Read<int>(ucred), MemoryMarshal.Read<uint>(ucred[4..]), MemoryMarshal.Read<uint>(ucred[8..]));
    }

    public override string ToString() => $"uid {Uid} (pid {Pid})";
}
