using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Server;

/// <summary>Where and how to send one reply.</summary>
public readonly record struct DhcpReplyRoute(
    DhcpRouteKind Kind, Ipv4Address Address, int Port, string InterfaceName, MacAddress ClientMac);
