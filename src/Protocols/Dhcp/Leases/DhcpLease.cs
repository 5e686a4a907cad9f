using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Leases;

/// <summary>The durable state of one address: who had it, in which state, until when.</summary>
public readonly record struct DhcpLease(Ipv4Address Address, MacAddress Mac, DhcpLeaseState State, DateTimeOffset ExpiresAt)
{
    /// <summary>True while the address is unavailable to other MACs (a live binding or a quarantine).</summary>
    public bool Blocks(DateTimeOffset now) => State != DhcpLeaseState.Released && ExpiresAt > now;
}
