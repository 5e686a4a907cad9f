using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using NetbootPi.Hardware.Serial;

namespace NetbootPi.Hardware.Tests.Serial;

/// <summary>
/// <see cref="SerialLine"/> on a real terminal device: a pseudo-terminal pair from the kernel (posix_openpt), the
/// test writing on the master side as a host's serial port would, the line reading its slave side. A pty takes
/// the same termios calls as a USB-serial adapter (the speed is recorded, not clocked).
/// </summary>
public sealed partial class SerialLineTests : IDisposable
{
    private readonly SafeFileHandle _master;
    private readonly string _slave;
    private FileStream? _port;

    public SerialLineTests()
    {
        var fd = PosixOpenpt(2 /* O_RDWR */ | 0x100 /* O_NOCTTY */);
        Assert.True(fd >= 0, "posix_openpt failed");
        _master = new SafeFileHandle(fd, ownsHandle: true);
        Assert.Equal(0, GrantPt(fd));
        Assert.Equal(0, UnlockPt(fd));
        var name = new byte[128];
        Assert.Equal(0, PtsNameR(fd, name, (nuint)name.Length));
        _slave = Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0));
    }

    public void Dispose()
    {
        _port?.Dispose();
        _master.Dispose();
    }

    private void Send(string text)
    {
        // A pty is not seekable: written through a stream, as a port would push bytes.
        _port ??= new FileStream(_master, FileAccess.ReadWrite, 0);
        _port.Write(Encoding.UTF8.GetBytes(text));
        _port.Flush();
    }

    [Fact]
    public void Reads_what_the_other_end_writes_raw_and_returns_empty_handed_within_half_a_second()
    {
        using var line = SerialLine.Open(_slave, 115200);
        var buffer = new byte[256];
        // Nothing written: the read comes back (VTIME) instead of blocking the reader for good.
        var started = Environment.TickCount64;
        Assert.Equal(0, line.Read(buffer));
        Assert.InRange(Environment.TickCount64 - started, 300, 2000);

        // Raw: CR LF arrive as sent (no translation), a lone ^C is a byte and not a signal.
        Send("login: \r\n\u0003x");
        var got = new List<byte>();
        for (var i = 0; i < 10 && got.Count < 11; i++) got.AddRange(buffer.AsSpan(0, line.Read(buffer)).ToArray());
        Assert.Equal("login: \r\n\u0003x", Encoding.UTF8.GetString(got.ToArray()));
    }

    [Fact]
    public void A_device_that_is_not_a_terminal_or_not_there_is_named()
    {
        var e = Assert.Throws<IOException>(() => SerialLine.Open("/dev/null", 115200));
        Assert.StartsWith("/dev/null is not a serial line: ", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<IOException>(() => SerialLine.Open("/dev/ttyNOPE9", 115200));
        Assert.StartsWith("cannot open /dev/ttyNOPE9: ", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => SerialLine.Open(_slave, 12345));
    }

    [Fact]
    public void The_speed_is_set_as_asked()
    {
        using var line = SerialLine.Open(_slave, 9600);
        // stty reads the slave's settings back: the speed and raw mode the line set.
        var psi = new System.Diagnostics.ProcessStartInfo("stty", ["-F", _slave, "-a"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var stty = System.Diagnostics.Process.Start(psi)!;
        var settings = stty.StandardOutput.ReadToEnd();
        stty.WaitForExit();
        Assert.Contains("speed 9600 baud", settings, StringComparison.Ordinal);
        Assert.Contains("-icanon", settings, StringComparison.Ordinal);
        Assert.Contains("-echo ", settings, StringComparison.Ordinal);
        Assert.Contains("clocal", settings, StringComparison.Ordinal);
        Assert.Contains("min = 0; time = 5", settings, StringComparison.Ordinal);
    }

    [DllImport("libc", EntryPoint = "posix_openpt", SetLastError = true)]
    private static extern int PosixOpenpt(int flags);

    [DllImport("libc", EntryPoint = "grantpt", SetLastError = true)]
    private static extern int GrantPt(int fd);

    [DllImport("libc", EntryPoint = "unlockpt", SetLastError = true)]
    private static extern int UnlockPt(int fd);

    [DllImport("libc", EntryPoint = "ptsname_r", SetLastError = true)]
    private static extern int PtsNameR(int fd, byte[] buffer, nuint length);
}
