using NetbootPi.Hardware.Interop;

namespace NetbootPi.Hardware.Serial;

/// <summary>
/// A serial line (a USB-serial adapter, the Pi's UART, a pty) opened for reading a console: raw mode at a given
/// speed, reads that return after half a second without data so that a reader can stop and notice a line that went
/// away (an adapter unplugged).
/// </summary>
public sealed class SerialLine : IDisposable
{
    /// <summary>The speeds a serial console runs at, and their <c>Bnnn</c> codes (asm-generic termbits, the same on x86-64 and arm64).</summary>
    private static readonly Dictionary<int, uint> Speeds = new()
    {
        [9600] = 0xd, [19200] = 0xe, [38400] = 0xf, [57600] = 0x1001, [115200] = 0x1002, [230400] = 0x1003,
        [460800] = 0x1004, [921600] = 0x1007, [1500000] = 0x100a,
    };

    private readonly string _device;
    private int _fd;

    private SerialLine(string device, int fd)
    {
        _device = device;
        _fd = fd;
    }

    public static IReadOnlyCollection<int> SupportedSpeeds => Speeds.Keys;

    /// <summary>Opens <paramref name="device"/> raw at <paramref name="baud"/>.</summary>
    /// <exception cref="IOException">It cannot be opened or set up; the message names it and why.</exception>
    public static SerialLine Open(string device, int baud)
    {
        if (!Speeds.TryGetValue(baud, out var speed)) throw new ArgumentOutOfRangeException(nameof(baud), baud, "not a supported speed");
        var fd = Libc.Open(Libc.PathBytes(device), Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC);
        if (fd < 0) throw new IOException($"cannot open {device}: {Libc.LastError(out _)}");
        var termios = new byte[Libc.TermiosSize + 4];
        if (Libc.TcGetAttr(fd, termios) != 0)
        {
            var reason = Libc.LastError(out _);
            Libc.Close(fd);
            throw new IOException($"{device} is not a serial line: {reason}");
        }
        Libc.CfMakeRaw(termios);
        // CLOCAL | CREAD: receive, and ignore the modem lines (an adapter with DCD low must still be read).
        var cflag = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(termios.AsSpan(Libc.TermiosCflagOffset));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(termios.AsSpan(Libc.TermiosCflagOffset), cflag | Libc.CLOCAL | Libc.CREAD);
        // VMIN 0, VTIME 5: a read returns what came, or nothing after 0.5 s.
        termios[Libc.TermiosCcOffset + Libc.VMIN] = 0;
        termios[Libc.TermiosCcOffset + Libc.VTIME] = 5;
        if (Libc.CfSetSpeed(termios, speed) != 0 || Libc.TcSetAttr(fd, Libc.TCSANOW, termios) != 0)
        {
            var reason = Libc.LastError(out _);
            Libc.Close(fd);
            throw new IOException($"cannot set {device} to {baud} baud, raw: {reason}");
        }
        return new SerialLine(device, fd);
    }

    /// <summary>
    /// Reads what the line has, waiting at most half a second: the byte count, 0 when nothing came.
    /// </summary>
    /// <exception cref="IOException">The line failed (an adapter unplugged reads as EIO).</exception>
    public int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        if (buffer.IsEmpty) return 0;
        var n = Libc.Read(_fd, ref buffer[0], (nuint)buffer.Length);
        if (n >= 0) return (int)n;
        var reason = Libc.LastError(out var errno);
        if (errno == 4) return 0; // EINTR: nothing this time
        throw new IOException($"reading {_device}: {reason}");
    }

    public void Dispose()
    {
        if (_fd < 0) return;
        Libc.Close(_fd);
        _fd = -1;
    }
}
