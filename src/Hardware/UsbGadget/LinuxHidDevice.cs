using NetbootPi.Hardware.Interop;

namespace NetbootPi.Hardware.UsbGadget;

/// <summary>
/// <see cref="IHidDevice"/> on an f_hid character device (<c>/dev/hidgN</c>), opened non-blocking: f_hid's write
/// waits for the host to poll the report before it, and a host that stopped polling must not hold a thread for good.
/// </summary>
public sealed class LinuxHidDevice : IHidDevice
{
    private int _fd;

    private LinuxHidDevice(string path, int fd)
    {
        Path = path;
        _fd = fd;
    }

    public string Path { get; }

    public static LinuxHidDevice Open(string path)
    {
        var fd = Libc.Open(Libc.PathBytes(path), Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (fd < 0)
        {
            var reason = Libc.LastError(out var errno);
            throw new UsbGadgetException($"{path}: cannot open the HID gadget device: {reason} (is usb_f_hid loaded and the gadget built?)", errno);
        }
        return new LinuxHidDevice(path, fd);
    }

    public HidWrite Write(ReadOnlySpan<byte> report, TimeSpan timeout)
    {
        var fd = Volatile.Read(ref _fd);
        ObjectDisposedException.ThrowIf(fd < 0, this);
        var bytes = report.ToArray();
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            if (Libc.Write(fd, bytes, bytes.Length) >= 0) return HidWrite.Sent;
            var reason = Libc.LastError(out var errno);
            // f_hid has no endpoint to queue on until the host sets the configuration (its request is made then).
            if (errno is Libc.ESHUTDOWN or Libc.ENODEV) return HidWrite.NotConnected;
            if (errno is not (Libc.EAGAIN or Libc.EINTR))
                throw new UsbGadgetException($"{Path}: writing a report failed: {reason}", errno);
            var left = deadline - Environment.TickCount64;
            if (left <= 0) return HidWrite.TimedOut;
            if (!Wait(fd, Libc.POLLOUT, (int)left)) return HidWrite.TimedOut;
        }
    }

    public int Read(Span<byte> buffer, TimeSpan timeout)
    {
        var fd = Volatile.Read(ref _fd);
        ObjectDisposedException.ThrowIf(fd < 0, this);
        if (!Wait(fd, Libc.POLLIN, (int)timeout.TotalMilliseconds)) return 0;
        var n = Libc.Read(fd, ref buffer[0], (nuint)buffer.Length);
        if (n >= 0) return (int)n;
        var reason = Libc.LastError(out var errno);
        if (errno is Libc.EAGAIN or Libc.EINTR or Libc.ESHUTDOWN) return 0;
        throw new UsbGadgetException($"{Path}: reading a report failed: {reason}", errno);
    }

    private bool Wait(int fd, short events, int milliseconds)
    {
        var p = new Libc.PollFd { Fd = fd, Events = events };
        var r = Libc.Poll(ref p, 1, Math.Max(0, milliseconds));
        if (r < 0)
        {
            var reason = Libc.LastError(out var errno);
            if (errno == Libc.EINTR) return false;
            throw new UsbGadgetException($"{Path}: poll failed: {reason}", errno);
        }
        return r > 0 && (p.Revents & events) != 0;
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) Libc.Close(fd);
    }
}
