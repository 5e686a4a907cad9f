using System.Net;

namespace NetbootPi.Protocols.Tftp;

/// <summary>Settings of a <see cref="TftpServer"/>; validated by its constructor.</summary>
public sealed class TftpServerOptions
{
    /// <summary>IPv4 header (20) + UDP header (8) + TFTP DATA header (4): what a block adds on the wire.</summary>
    public const int PerPacketOverhead = 32;

    /// <summary>RFC 2348: the largest block size a client may ask for.</summary>
    public const int MaxProtocolBlockSize = 65464;

    /// <summary>RFC 2348: the smallest block size a client may ask for.</summary>
    public const int MinProtocolBlockSize = 8;

    /// <summary>Where requests arrive; transfers use an ephemeral port on the address each request came to.</summary>
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.Any, 69);

    /// <summary>
    /// MTU of the served interface; caps granted block sizes so that DATA packets are not fragmented. Used where
    /// <see cref="InterfaceMtu"/> is not set or does not know the address a request came to.
    /// </summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>
    /// The MTU of the interface holding a local address (for example <see cref="Net.LocalInterfaces.MtuOf"/>), asked
    /// once per transfer for the address its request came to, so that each interface gets its own cap.
    /// </summary>
    public Func<IPAddress, int?>? InterfaceMtu { get; init; }

    /// <summary>Grant block sizes up to 65464 even when the packets will be IP-fragmented.</summary>
    public bool AllowFragmentation { get; init; }

    /// <summary>Marked by the request loop as it handles each request, for the agent's health checks.</summary>
    public Net.LoopProgress? Progress { get; init; }

    /// <summary>Concurrent transfers; a request over the cap gets an ERROR saying the server is busy.</summary>
    public int MaxTransfers { get; init; } = 64;

    /// <summary>
    /// Concurrent transfers to one client address (any of its ports): a request over it gets the busy ERROR, so that
    /// one address sending RRQs from many ports and never ACKing (each held for its retries, about 6 s) cannot take
    /// every slot of <see cref="MaxTransfers"/> from the machines booting beside it. A booting machine runs one
    /// transfer at a time (PXE ROMs, iPXE, U-Boot and GRUB fetch file after file).
    /// </summary>
    public int MaxTransfersPerClient { get; init; } = 4;

    /// <summary>Retransmission timeout when the client does not ask for one with the RFC 2349 timeout option.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Consecutive timeouts without progress after which a transfer is dropped.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>Largest RFC 7440 window granted; RFC 7440 allows up to 65535, which would make ACKs ambiguous across rollover.</summary>
    public int MaxWindowSize { get; init; } = 64;

    /// <summary>The largest block size this server grants on an interface of <see cref="Mtu"/>.</summary>
    public int MaxBlockSize => MaxBlockSizeFor(Mtu);

    /// <summary>The largest block size granted on an interface of this MTU: the MTU cap unless fragmentation is allowed.</summary>
    public int MaxBlockSizeFor(int mtu) =>
        AllowFragmentation ? MaxProtocolBlockSize : Math.Clamp(mtu - PerPacketOverhead, 512, MaxProtocolBlockSize);

    internal void Validate()
    {
        if (EndPoint.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new ArgumentException($"TFTP endpoint {EndPoint} is not IPv4", nameof(EndPoint));
        if (Mtu is < 576 or > 65535) throw new ArgumentOutOfRangeException(nameof(Mtu), Mtu, "MTU must be 576..65535");
        if (MaxTransfers < 1) throw new ArgumentOutOfRangeException(nameof(MaxTransfers), MaxTransfers, "must be at least 1");
        if (MaxTransfersPerClient < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxTransfersPerClient), MaxTransfersPerClient, "must be at least 1");
        if (Timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "must be positive");
        if (MaxRetries < 0) throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "must not be negative");
        if (MaxWindowSize is < 1 or > 1024)
            throw new ArgumentOutOfRangeException(nameof(MaxWindowSize), MaxWindowSize, "must be 1..1024");
    }
}
