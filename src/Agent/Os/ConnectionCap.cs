using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace NetbootPi.Agent.Os;

/// <summary>
/// The connections one client address may hold open on one of the agent's Kestrel servers at once (the boot HTTP
/// server, the control API): a connection past the cap is closed as it arrives, before a byte is read (or a TLS
/// handshake made). A slow-loris client (many connections, each sending its headers a
/// byte at a time, each held until Kestrel's 30 s header timeout) then holds its own few sockets, not the box's:
/// the machines booting beside it are served as before. A booting machine opens one connection (iPXE, GRUB, the
/// kernel's initramfs tools), a browser six.
/// </summary>
/// <remarks>
/// Installed as connection middleware in front of everything else on a listener (TLS included); one instance may
/// serve several listeners, whose connections then count together. One line in the log when an address reaches
/// the cap, and one when it has no connection open again, with how many it was refused.
/// </remarks>
/// <param name="server">The server's name in the log lines ("http", "control API").</param>
internal sealed partial class ConnectionCap(string server, int perAddress, ILogger logger)
{
    /// <summary>The default: what a machine, a browser or bench/http.sh's 64 connections open, and more.</summary>
    public const int DefaultPerAddress = 64;

    private readonly Dictionary<IPAddress, (int Open, long Refused)> _byAddress = [];
    private readonly Lock _lock = new();

    public int PerAddress { get; } = perAddress >= 1 ? perAddress : throw new ArgumentOutOfRangeException(nameof(perAddress), perAddress, "must be at least 1");

    public void Use(ListenOptions listen) => listen.Use(next => async connection =>
    {
        if (connection.RemoteEndPoint is not IPEndPoint { Address: var address })
        {
            await next(connection).ConfigureAwait(false);
            return;
        }
        if (!TryEnter(address)) return; // Kestrel closes a connection its middleware returns from
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            Leave(address);
        }
    });

    private bool TryEnter(IPAddress address)
    {
        bool first;
        lock (_lock)
        {
            var a = _byAddress.GetValueOrDefault(address);
            if (a.Open >= PerAddress)
            {
                _byAddress[address] = a with { Refused = a.Refused + 1 };
                first = a.Refused == 0;
            }
            else
            {
                _byAddress[address] = a with { Open = a.Open + 1 };
                return true;
            }
        }
        if (first) LogCapReached(server, address, PerAddress);
        return false;
    }

    private void Leave(IPAddress address)
    {
        long refused;
        lock (_lock)
        {
            if (!_byAddress.TryGetValue(address, out var a)) return;
            if (a.Open > 1)
            {
                _byAddress[address] = a with { Open = a.Open - 1 };
                return;
            }
            _byAddress.Remove(address);
            refused = a.Refused;
        }
        if (refused > 0) LogCapLeft(server, address, refused);
    }

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning,
        Message = "{Server}: {Address} has {Cap} connections open, the most one address may; closing its new connections until some end")]
    private partial void LogCapReached(string server, IPAddress address, int cap);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information,
        Message = "{Server}: {Address} has no connection open any more; {Refused} of its connections were closed at the cap")]
    private partial void LogCapLeft(string server, IPAddress address, long refused);
}
