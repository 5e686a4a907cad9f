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

    /// <summary>Where relays listen for replies; 67 in every real deployment, changed only by tests.</summary>
    public int RelayPort { get; init; } = 67;
}
