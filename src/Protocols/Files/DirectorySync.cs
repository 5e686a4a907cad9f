using System.Runtime.InteropServices;
using NetbootPi.Protocols.Interop;

namespace NetbootPi.Protocols.Files;

/// <summary>Makes a directory's entries (a rename, a new file) durable: open the directory, fsync it, close it.</summary>
public static class DirectorySync
{
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = Libc.Open(Libc.PathBytes(directory), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        if (fd < 0) throw new IOException($"open({directory}) for fsync failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            if (Libc.Fsync(fd) != 0)
                throw new IOException($"fsync({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
