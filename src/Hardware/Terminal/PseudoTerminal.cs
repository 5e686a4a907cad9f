using NetbootPi.Hardware.Interop;

namespace NetbootPi.Hardware.Terminal;

/// <summary>
/// A pseudo-terminal's master side (posix_openpt): the slave (<see cref="SlavePath"/>, /dev/pts/N) is for another
/// process to open as its terminal; what it writes is read here, what is written here is its input. The master never
/// opens the slave itself, so that the slave's last close (the shell and everything it started gone) reads here as a
/// hang-up. Reads wait a bounded time so that a reader can stop.
/// </summary>
public sealed class PseudoTerminal : IDisposable
{
    private int _fd;

    private PseudoTerminal(int fd, string slavePath)
    {
        _fd = fd;
        SlavePath = slavePath;
    }

    /// <summary>The slave's path, /dev/pts/N.</summary>
    public string SlavePath { get; }

    /// <summary>A new pseudo-terminal, its slave unlocked.</summary>
    /// <exception cref="IOException">No pseudo-terminal could be made (devpts not mounted, the kernel's limit reached); the message says which call failed.</exception>
    public static PseudoTerminal Open()
    {
        // O_NOCTTY: the master must never become the agent's controlling terminal.
        var fd = Libc.PosixOpenPt(Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC);
        if (fd < 0) throw new IOException($"cannot open a pseudo-terminal (/dev/ptmx; is devpts mounted on /dev/pts?): {Libc.LastError(out _)}");
        string? failed = null;
        if (Libc.GrantPt(fd) != 0) failed = "grantpt";
        else if (Libc.UnlockPt(fd) != 0) failed = "unlockpt";
        if (failed is not null)
        {
            var reason = Libc.LastError(out _);
            Libc.Close(fd);
            throw new IOException($"cannot set up a pseudo-terminal: {failed}: {reason}");
        }
        var name = new byte[128];
        var errno = Libc.PtsNameR(fd, name, (nuint)name.Length);
        if (errno != 0)
        {
            Libc.Close(fd);
            throw new IOException($"cannot name a pseudo-terminal's slave: ptsname_r: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}");
        }
        return new PseudoTerminal(fd, System.Text.Encoding.UTF8.GetString(name, 0, Array.IndexOf(name, (byte)0)));
    }

    /// <summary>
    /// Reads what the slave's side wrote, waiting at most <paramref name="waitMilliseconds"/>: the byte count, 0 when
    /// nothing came. <paramref name="hungUp"/> is true when no process has the slave open any more (after one had it
    /// open, or before any did) and nothing is left to read.
    /// </summary>
    /// <exception cref="IOException">The read failed otherwise.</exception>
    public int Read(Span<byte> buffer, int waitMilliseconds, out bool hungUp)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        hungUp = false;
        var poll = new Libc.PollFd { Fd = _fd, Events = Libc.POLLIN };
        var ready = Libc.Poll(ref poll, 1, waitMilliseconds);
        if (ready < 0)
        {
            var reason = Libc.LastError(out var pollErrno);
            if (pollErrno == Libc.EINTR) return 0;
            throw new IOException($"waiting on the pseudo-terminal of {SlavePath}: {reason}");
        }
        if (ready == 0) return 0;
        if ((poll.Revents & Libc.POLLIN) == 0)
        {
            hungUp = (poll.Revents & (Libc.POLLHUP | Libc.POLLERR)) != 0;
            return 0;
        }
        var n = Libc.Read(_fd, ref buffer[0], (nuint)buffer.Length);
        if (n >= 0) return (int)n;
        var why = Libc.LastError(out var errno);
        if (errno is Libc.EINTR or Libc.EAGAIN) return 0;
        // Linux: EIO once the slave's last holder closed it.
        if (errno == Libc.EIO)
        {
            hungUp = true;
            return 0;
        }
        throw new IOException($"reading the pseudo-terminal of {SlavePath}: {why}");
    }

    /// <summary>Writes all of <paramref name="data"/> as the slave's input.</summary>
    /// <exception cref="IOException">The slave's side hung up, or the write failed.</exception>
    public void Write(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        var buffer = data.ToArray();
        var done = 0;
        while (done < buffer.Length)
        {
            var n = Libc.Write(_fd, done == 0 ? buffer : buffer[done..], buffer.Length - done);
            if (n < 0)
            {
                var reason = Libc.LastError(out var errno);
                if (errno == Libc.EINTR) continue;
                throw new IOException($"writing to the pseudo-terminal of {SlavePath}: {reason}");
            }
            done += (int)n;
        }
    }

    /// <summary>Sets the terminal's size (TIOCSWINSZ); the slave's foreground process group gets SIGWINCH.</summary>
    /// <exception cref="IOException">The kernel refused it.</exception>
    public void Resize(int columns, int rows)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        var size = new Libc.WinSize { Columns = (ushort)Math.Min(columns, ushort.MaxValue), Rows = (ushort)Math.Min(rows, ushort.MaxValue) };
        if (Libc.Ioctl(_fd, Libc.TIOCSWINSZ, ref size) != 0)
            throw new IOException($"cannot set the size of {SlavePath} to {columns}x{rows}: {Libc.LastError(out _)}");
    }

    public void Dispose()
    {
        if (_fd < 0) return;
        Libc.Close(_fd);
        _fd = -1;
    }
}
