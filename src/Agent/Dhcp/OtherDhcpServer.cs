using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Dhcp;

/// <summary>
/// A client on a network the box serves asked another DHCP server for its address: its REQUEST, broadcast (RFC 2131
/// §4.3.2, SELECTING), named that server in option 54. The other server offered it an address there.
/// </summary>
public readonly record struct OtherDhcpServer(string Interface, string? Network, Ipv4Address Server, MacAddress Client);
