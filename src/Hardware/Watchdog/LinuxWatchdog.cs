using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using NetbootPi.Hardware.Interop;

namespace NetbootPi.Hardware.Watchdog;

/// <summary><see cref="IWatchdog"/> on a Linux watchdog device (<c>/dev/watchdog</c>, <c>/dev/watchdogN</c>).</summary>
public sealed class LinuxWatchdog : IWatchdog
{
    public const string DefaultDevice = "/dev/watchdog";

    // include/uapi/linux/watchdog.h: WATCHDOG_IOCTL_BASE 'W'; struct watchdog_info is u32 options,
    // u32 firmware_version, u8 identity[32].
    private const int InfoSize = 40;
    private static readonly nuint GetSupport = IoctlCode.Ior('W', 0, InfoSize);
    private static readonly nuint KeepaliveRequest = IoctlCode.Ior('W', 5, sizeof(int));
    private static readonly nuint SetTimeoutRequest = IoctlCode.Iowr('W', 6, sizeof(int));
    private static readonly nuint GetTimeoutRequest = IoctlCode.Ior('W', 7, sizeof(int));

    private readonly string _device;
    private int _fd;

    private LinuxWatchdog(string device, int fd, WatchdogInfo info)
    {
        _device = device;
        _fd = fd;
        Info = info;
    }

    public WatchdogInfo Info { get; }

    /// <summary>Opens (and so arms) the watchdog at <paramref name="device"/>.</summary>
    /// <exception cref="WatchdogException">It is missing, held by another process, or not a watchdog.</exception>
    public static LinuxWatchdog Open(string device = DefaultDevice)
    {
        var fd = Libc.Open(Libc.PathBytes(device), Libc.O_WRONLY | Libc.O_CLOEXEC);
        if (fd < 0)
        {
            var reason = Libc.LastError(out var errno);
            throw new WatchdogException(errno switch
            {
                Libc.EBUSY => $"{device}: already held by another process (systemd's RuntimeWatchdogSec=, or a watchdog daemon): only one may have it open",
                Libc.ENOENT => $"{device}: no such device (is the watchdog driver loaded? bcm2835_wdt on a Raspberry Pi, softdog as a kernel-only stand-in)",
                Libc.EACCES => $"{device}: permission denied (the agent needs root, or write access to the device)",
                _ => $"{device}: cannot open: {reason}",
            }, errno);
        }
        var buffer = new byte[InfoSize];
        if (Libc.Ioctl(fd, GetSupport, buffer) != 0)
        {
            var reason = Libc.LastError(out var errno);
            Libc.Close(fd); // a device without WDIOC_GETSUPPORT is no watchdog: nothing was armed
            throw new WatchdogException($"{device}: not a watchdog device (WDIOC_GETSUPPORT: {reason})", errno);
        }
        var identity = Encoding.ASCII.GetString(buffer.AsSpan(8, 32)).TrimEnd('\0');
        var info = new WatchdogInfo(identity, BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(4)),
            (WatchdogCapabilities)BinaryPrimitives.ReadUInt32LittleEndian(buffer));
        return new LinuxWatchdog(device, fd, info);
    }

    public TimeSpan Timeout
    {
        get
        {
            var seconds = 0;
            Check(Libc.Ioctl(Fd, GetTimeoutRequest, ref seconds), "WDIOC_GETTIMEOUT");
            return TimeSpan.FromSeconds(seconds);
        }
    }

    public TimeSpan SetTimeout(TimeSpan timeout)
    {
        if (!Info.CanSetTimeout) throw new WatchdogException($"{_device} ({Info.Identity}): its timeout cannot be changed");
        var seconds = (int)Math.Ceiling(timeout.TotalSeconds);
        Check(Libc.Ioctl(Fd, SetTimeoutRequest, ref seconds), $"WDIOC_SETTIMEOUT {seconds} s");
        return TimeSpan.FromSeconds(seconds);
    }

    public void Keepalive()
    {
        var unused = 0;
        Check(Libc.Ioctl(Fd, KeepaliveRequest, ref unused), "WDIOC_KEEPALIVE");
    }

    public WatchdogRelease Disarm()
    {
        var fd = Fd;
        // The magic close: 'V' just before the close tells a driver that has it that this is no crash.
        if (Info.HasMagicClose && Libc.Write(fd, "V"u8.ToArray(), 1) != 1)
            throw new WatchdogException($"{_device}: the magic close failed: {Libc.LastError(out var errno)}", errno);
        Close();
        return NoWayOut() ? WatchdogRelease.StillRunning : WatchdogRelease.Stopped;
    }

    public void Dispose() => Close();

    private int Fd => _fd >= 0 ? _fd : throw new ObjectDisposedException(_device);

    private void Close()
    {
        if (_fd < 0) return;
        Libc.Close(_fd);
        _fd = -1;
    }

    private void Check(int result, string request)
    {
        if (result != 0) throw new WatchdogException($"{_device} ({Info.Identity}): {request} failed: {Libc.LastError(out var errno)}", errno);
    }

    /// <summary>Whether the driver refuses every stop (nowayout), from sysfs where the kernel has it.</summary>
    private bool NoWayOut()
    {
        var name = Path.GetFileName(_device);
        if (name == "watchdog") name = "watchdog0"; // the legacy node is the first device
        var path = $"/sys/class/watchdog/{name}/nowayout";
        try
        {
            return File.Exists(path) && int.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture) != 0;
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
