using System.Net.Sockets;
using System.Text;

namespace NetbootPi.Agent.Os.Systemd;

/// <summary>
/// sd_notify(3) without libsystemd: datagrams to $NOTIFY_SOCKET (a path, or '@' for the abstract namespace).
/// Does nothing when the agent is not started by systemd with Type=notify.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;

    public SystemdNotifier(string? notifySocket)
    {
        if (string.IsNullOrEmpty(notifySocket)) return;
        // Abstract socket names start with NUL; systemd writes them with a leading '@'.
        var name = notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket;
        _endpoint = new UnixDomainSocketEndPoint(name);
        // Never blocking: a notification is not worth a stalled reload when whoever listens stops reading (its
        // queue full, the send would wait forever). A dropped STATUS is replaced by the next.
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
    }

    public static SystemdNotifier FromEnvironment() => new(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));

    public bool IsEnabled => _socket is not null;

    public void Ready(string status) => Send($"READY=1\nSTATUS={status}");

    /// <summary>RELOADING=1 with the monotonic timestamp that systemd's Type=notify-reload expects.</summary>
    public void Reloading() =>
        Send($"RELOADING=1\nMONOTONIC_USEC={Environment.TickCount64 * 1000}");

    public void Stopping() => Send("STOPPING=1");

    public void Status(string status) => Send($"STATUS={status}");

    /// <summary>WATCHDOG=1: the service is alive (WatchdogSec=); systemd kills and restarts it when these stop.</summary>
    public void Watchdog() => Send("WATCHDOG=1");

    /// <summary>
    /// The interval systemd expects WATCHDOG=1 within (WatchdogSec=, passed as WATCHDOG_USEC), when it is meant for
    /// this process (WATCHDOG_PID, when set, names it); null when the unit has no watchdog.
    /// </summary>
    public static TimeSpan? WatchdogInterval()
    {
        if (Environment.GetEnvironmentVariable("WATCHDOG_PID") is { Length: > 0 } pid
            && pid != Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            return null;
        return long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec)
            : null;
    }

    private void Send(string message)
    {
        if (_socket is null) return;
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(message), _endpoint!);
        }
        catch (SocketException)
        {
            // systemd gone or socket unreachable: notifications are advisory, the agent keeps running.
        }
    }

    public void Dispose() => _socket?.Dispose();
}
