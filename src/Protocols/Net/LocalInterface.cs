namespace NetbootPi.Protocols.Net;

/// <summary>One of the box's network interfaces as the kernel reports it now.</summary>
/// <param name="Index">The kernel's interface index (what SO_BINDTODEVICE, IP_PKTINFO and netlink name it by).</param>
/// <param name="Mac">The hardware address; null for interfaces without one (loopback, tunnels).</param>
/// <param name="Ipv4">Its IPv4 addresses with their prefixes, the primary first.</param>
public sealed record LocalInterface(string Name, int Index, MacAddress? Mac, int Mtu, IReadOnlyList<Ipv4Interface> Ipv4);
