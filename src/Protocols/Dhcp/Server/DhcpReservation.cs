using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Server;

/// <summary>A host's static address (and name for option 12) from the site file.</summary>
public sealed record DhcpReservation(Ipv4Address Address, string? HostName);
