using System.Runtime.InteropServices;
using System.Text;

namespace NetbootPi.Agent.Health;

/// <summary>
/// The state directory (leases, overlays, tokens, boot events) can be written: its file system is not read-only
/// (an SD card with errors is remounted read-only by ext4) and has room left. Asked through statvfs(3) — no write,
/// so checking every few seconds costs the card nothing.
/// </summary>
public sealed class StateDirectoryCheck(Func<string> directory, long minimumFreeBytes = StateDirectoryCheck.DefaultMinimumFreeBytes) : IHealthCheck
{
    /// <summary>Room for a lease file rewrite and a batch of boot events.</summary>
    public const long DefaultMinimumFreeBytes = 1 << 20;

    // struct statvfs on 64-bit glibc (x86-64 and arm64 alike): eleven 8-byte fields, then spare ints.
    private const int StatvfsSize = 112;
    private const int FrsizeOffset = 8;
    private const int BavailOffset = 32;
    private const int FlagOffset = 72;
    private const ulong StRdonly = 1;

    public string? Problem()
    {
        var path = directory();
        var buffer = new byte[StatvfsSize];
        if (Statvfs(Encoding.UTF8.GetBytes(path + "\0"), buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return $"the state directory {path} cannot be checked: {Marshal.GetPInvokeErrorMessage(errno)}";
        }
        if ((BitConverter.ToUInt64(buffer, FlagOffset) & StRdonly) != 0)
            return $"the state directory {path} is on a read-only file system (a failing SD card is remounted read-only)";
        var free = (long)Math.Min(long.MaxValue, BitConverter.ToUInt64(buffer, BavailOffset) * BitConverter.ToUInt64(buffer, FrsizeOffset));
        return free < minimumFreeBytes
            ? $"the state directory {path} has {free} bytes free, less than the {minimumFreeBytes} leases and boot events need"
            : null;
    }

    [DllImport("libc", EntryPoint = "statvfs", SetLastError = true)]
    private static extern int Statvfs(byte[] path, byte[] buffer);
}
