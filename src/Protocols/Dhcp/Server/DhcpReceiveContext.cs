using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Server;

/// <summary>Where a request came from, as the transport saw it.</summary>
/// <param name="InterfaceName">The interface the datagram arrived on.</param>
/// <param name="LocalPort">67, or 4011 for the PXE boot server port (proxy mode).</param>
/// <param name="Source">The datagram's source address (0.0.0.0 for most clients without an address).</param>
/// <param name="SourcePort">The datagram's source port.</param>
/// <param name="LocalAddress">
/// The box's address the datagram was sent to (its IP destination, from IP_PKTINFO); for a broadcast, the
/// arrival interface's address if the transport knows it, else 0.0.0.0. A relay forwards to an address of the
/// box that its clients can reach, so replies for a network reached only through relays name this address.
/// </param>
public readonly record struct DhcpReceiveContext(string InterfaceName, int LocalPort, Ipv4Address Source, int SourcePort,
    Ipv4Address LocalAddress = default);
