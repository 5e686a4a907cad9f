namespace NetbootPi.Protocols.Dhcp.Server;

/// <summary>The RFC 2131 §4.1 delivery cases for a reply.</summary>
public enum DhcpRouteKind
{
    /// <summary>To the relay (giaddr) on server port 67.</summary>
    Relay,
    /// <summary>Unicast to ciaddr, port 68: the client has a working address.</summary>
    ClientAddress,
    /// <summary>To 255.255.255.255:68 out of the arrival interface.</summary>
    Broadcast,
    /// <summary>
    /// Unicast to yiaddr at chaddr, port 68: the client has no address yet, so there is no ARP entry;
    /// the transport either installs one or falls back to broadcast.
    /// </summary>
    ClientHardware,
    /// <summary>Back to the datagram's source address and port (PXE boot server, port 4011).</summary>
    Source,
}
