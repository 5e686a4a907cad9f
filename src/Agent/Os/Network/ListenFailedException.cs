using System.Net;
using System.Net.Sockets;

namespace NetbootPi.Agent.Os.Network;

/// <summary>
/// A server of the agent that cannot listen: the message names the server, the address and what to check, in
/// words of our own (the shipped build has no runtime message texts to quote).
/// </summary>
public sealed class ListenFailedException(string server, EndPoint endPoint, string reason, Exception inner)
    : ServiceStartException($"the {server} server cannot listen on {endPoint}: {reason}", inner)
{
    public string Server { get; } = server;
    public EndPoint EndPoint { get; } = endPoint;

    public static ListenFailedException From(string server, IPEndPoint endPoint, Exception error)
    {
        var socket = FindSocketError(error);
        var reason = socket?.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse => $"the port is in use (is another {server} server running on this machine?)",
            SocketError.AddressNotAvailable => $"{endPoint.Address} is not an address of this machine (check --listen, or the interface's address)",
            SocketError.AccessDenied => $"permission denied (port {endPoint.Port} needs root or CAP_NET_BIND_SERVICE)",
            _ when socket is not null => System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(socket.NativeErrorCode),
            // Kestrel's own exception for a taken port carries no SocketException.
            _ when IsAddressInUse(error) => $"the port is in use (is another {server} server running on this machine?)",
            _ => error.GetType().Name,
        };
        return new ListenFailedException(server, endPoint, reason, error);
    }

    private static SocketException? FindSocketError(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is SocketException s) return s;
        return null;
    }

    private static bool IsAddressInUse(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e.GetType().Name == "AddressInUseException") return true;
        return false;
    }
}
