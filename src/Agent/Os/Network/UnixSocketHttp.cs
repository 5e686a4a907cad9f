using System.Net.Sockets;

namespace NetbootPi.Agent.Os.Network;

/// <summary>HTTP over a unix socket: a handler whose every connection dials <c>socketPath</c> (the control socket, ustreamer's).</summary>
public static class UnixSocketHttp
{
    public static SocketsHttpHandler Handler(string socketPath) => new()
    {
        UseProxy = false,
        ConnectCallback = async (_, cancellation) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellation).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
