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
