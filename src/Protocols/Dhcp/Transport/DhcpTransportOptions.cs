namespace NetbootPi.Protocols.Dhcp.Transport;

/// <summary>Which interfaces and ports the UDP transport serves.</summary>
public sealed class DhcpTransportOptions
{
    /// <summary>Interfaces to listen on (direct networks, and those that relays send to).</summary>
    public required IReadOnlyList<string> Interfaces { get; init; }

    /// <summary>Also listen on the PXE boot server port (needed when a network is in proxy mode).</summary>
    public bool ListenProxyPort { get; init; }

    public int ServerPort { get; init; } = 67;
    public int ClientPort { get; init; } = 68;
    public int ProxyPort { get; init; } = 4011;

    /// <summary>
    /// Receive queue per socket, so that a burst (a rack powering on) waits in the kernel instead of being
    /// dropped; 0 keeps the system default.
    /// </summary>
    public int ReceiveBufferBytes { get; init; } = 1 << 20;

    /// <summary>
    /// Unicast replies to clients without an address and without the broadcast flag to yiaddr at chaddr, after
    /// adding an ARP entry (RFC 2131 §4.1); false broadcasts them, as udhcpd does.
    /// </summary>
    public bool UnicastToClientHardware { get; init; } = true;

    /// <summary>Where relays listen for replies; 67 in every real deployment, changed only by tests.</summary>
    public int RelayPort { get; init; } = 67;
}
