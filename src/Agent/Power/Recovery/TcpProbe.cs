using System.Net;
using System.Net.Sockets;

namespace NetbootPi.Agent.Power.Recovery;

/// <summary>A recovery probe: whether a TCP port of the host accepts a connection within a time limit.</summary>
public static class TcpProbe
{
    /// <summary>True when the connection is accepted; false when refused, unreachable or not answered in time.</summary>
    public static async Task<bool> AnswersAsync(IPAddress address, int port, TimeSpan limit, CancellationToken cancellation)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(limit);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return false;
        }
    }
}
