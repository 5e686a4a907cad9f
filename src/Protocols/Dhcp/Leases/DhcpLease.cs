using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Leases;

/// <summary>The durable state of one address: who had it, in which state, until when, and the name the client gave.</summary>
/// <param name="HostName">
/// The client's own name for itself (option 81 or 12, as <see cref="Options.ClientHostName"/> reads it): one
/// lower-case label, or null when it sent none that is legal.
/// </param>
public readonly record struct DhcpLease(Ipv4Address Address, MacAddress Mac, DhcpLeaseState State, DateTimeOffset ExpiresAt, string? HostName = null)
{
    /// <summary>True while the address is unavailable to other MACs (a live binding or a quarantine).</summary>
    public bool Blocks(DateTimeOffset now) => State != DhcpLeaseState.Released && ExpiresAt > now;
}
