namespace NetbootPi.Protocols.Dhcp.Server;

/// <summary>How the box serves a network (site file <c>dhcp.mode</c>).</summary>
public enum DhcpServerMode
{
    /// <summary>Hands out addresses and NAKs requests that are wrong for the network.</summary>
    Authoritative,
    /// <summary>
    /// ProxyDHCP (PXE 2.1 §2.2.3): another server hands out addresses; this one answers only PXE clients,
    /// with boot information and no address, on port 67 and 4011.
    /// </summary>
    Proxy,
}
