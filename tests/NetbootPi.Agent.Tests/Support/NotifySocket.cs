using System.Net.Sockets;
using System.Text;

namespace NetbootPi.Agent.Tests.Support;

/// <summary>Plays systemd's side of sd_notify: a datagram socket the agent reports READY=1 and friends to.</summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket;
    private readonly string _dir;

    public NotifySocket()
    {
        _dir = Directory.CreateTempSubdirectory("netbootpi-notify-").FullName;
        Path = System.IO.Path.Combine(_dir, "notify");
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
    }

    public string Path { get; }

    /// <summary>The next notification, or a failure if none arrives (the limit guards a hung agent only).</summary>
    public async Task<string> ReceiveAsync(CancellationToken cancellation)
    {
        var buffer = new byte[4096];
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    public void Dispose()
    {
        _socket.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
