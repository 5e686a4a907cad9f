using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Server;

/// <summary>One served network, as the policy derives it from the site snapshot. Immutable.</summary>
public sealed class DhcpNetwork
{
    /// <summary>A name for logs (the site file's network name).</summary>
    public required string Name { get; init; }

    /// <summary>
    /// The interface direct (unrelayed) traffic for this network arrives on; null for a network reached only
    /// through relays.
    /// </summary>
    public string? InterfaceName { get; init; }

    /// <summary>
    /// The box's address as clients of this network see it: the server identifier (54), siaddr and the address
    /// boot decisions name. For a directly attached network, the box's address on it. Null for a network the box
    /// is not on (reached only through relays): each request then uses the address its relay sent it to
    /// (<see cref="DhcpReceiveContext.LocalAddress"/>), which is the one that relay's clients can reach.
    /// </summary>
    public required Ipv4Address? ServerAddress { get; init; }

    /// <summary>The clients' subnet; relayed requests are matched to it by giaddr.</summary>
    public required Ipv4Network Subnet { get; init; }

    public DhcpServerMode Mode { get; init; } = DhcpServerMode.Authoritative;

    /// <summary>First and last address of the dynamic pool (inclusive); ignored in proxy mode.</summary>
    public Ipv4Address RangeStart { get; init; }

    public Ipv4Address RangeEnd { get; init; }

    public TimeSpan LeaseTime { get; init; } = TimeSpan.FromHours(1);

    public IReadOnlyList<Ipv4Address> Routers { get; init; } = [];

    public IReadOnlyList<Ipv4Address> DnsServers { get; init; } = [];

    public string? DomainName { get; init; }

    /// <summary>Addresses of static hosts on this network: the pool never hands them out.</summary>
    public IReadOnlySet<Ipv4Address> ReservedAddresses { get; init; } = new HashSet<Ipv4Address>();

    public bool InRange(Ipv4Address address) => address >= RangeStart && address <= RangeEnd && Subnet.Contains(address);
}
