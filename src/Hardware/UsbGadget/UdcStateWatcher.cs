using System.Text;
using NetbootPi.Hardware.Interop;

namespace NetbootPi.Hardware.UsbGadget;

/// <summary>
/// Watches a UDC's <c>state</c> attribute (<c>/sys/class/udc/NAME/state</c>) for every change the kernel announces:
/// it calls sysfs_notify() each time the gadget's state is set (a bus reset, an address, a SET_CONFIGURATION,
/// suspend, disconnect), even when the text reads the same after it, which is what a poll of the text would miss:
/// a host that reboots resets the bus and configures the device again within milliseconds.
/// </summary>
public sealed class UdcStateWatcher : IDisposable
{
    private readonly string _path;
    private readonly Action<string> _changed;
    private readonly Thread _thread;
    private readonly int _fd;
    private volatile bool _stop;

    /// <param name="statePath">The attribute, <c>/sys/class/udc/NAME/state</c>.</param>
    /// <param name="changed">Called on the watcher's own thread with the state read after each notification.</param>
    public UdcStateWatcher(string statePath, Action<string> changed)
    {
        _path = statePath;
        _changed = changed;
        _fd = Libc.Open(Libc.PathBytes(statePath), Libc.O_CLOEXEC);
        if (_fd < 0)
        {
            var reason = Libc.LastError(out var errno);
            throw new UsbGadgetException($"{statePath}: cannot watch the USB device controller's state: {reason}", errno);
        }
        // sysfs arms the notification for a reader once it has read the attribute.
        State = Read() ?? "gone";
        _thread = new Thread(Run) { IsBackground = true, Name = "UDC state" };
        _thread.Start();
    }

    /// <summary>The state as last read.</summary>
    public string State { get; private set; }

    private void Run()
    {
        while (!_stop)
        {
            var p = new Libc.PollFd { Fd = _fd, Events = Libc.POLLPRI | Libc.POLLERR };
            var r = Libc.Poll(ref p, 1, 500);
            if (_stop) return;
            if (r <= 0) continue;
            if (Read() is not { } state) return;
            State = state;
            try
            {
                _changed(state);
            }
            catch (Exception) when (!_stop)
            {
                // The callback's own failure must not end the watch: the next reset still matters.
            }
        }
    }

    private string? Read()
    {
        var buffer = new byte[64];
        var n = Libc.PRead(_fd, buffer, (nuint)buffer.Length, 0);
        return n < 0 ? null : Encoding.ASCII.GetString(buffer, 0, (int)n).TrimEnd('\n');
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join(TimeSpan.FromSeconds(2));
        Libc.Close(_fd);
    }

    public override string ToString() => _path;
}
