using System.Runtime.InteropServices;
using System.Text;

namespace NetbootPi.Agent.Os.Users;

/// <summary>Changing a file's group: .NET has modes (<see cref="File.SetUnixFileMode(string, UnixFileMode)"/>) but no chown.</summary>
public static class UnixOwnership
{
    /// <summary>Gives <paramref name="path"/> to group <paramref name="gid"/>, its owner unchanged; throws with the path and errno's words.</summary>
    public static void SetGroup(string path, uint gid)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        if (Chown(bytes, uint.MaxValue, gid) == 0) return;
        var errno = Marshal.GetLastPInvokeError();
        throw new IOException($"{path}: cannot change its group to {gid}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    // chown(2); (uid_t)-1 leaves the owner as it is.
    [DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    private static extern int Chown(byte[] path, uint owner, uint group);
}
