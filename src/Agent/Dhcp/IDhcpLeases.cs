using NetbootPi.Protocols.Dhcp.Leases;

namespace NetbootPi.Agent.Dhcp;

/// <summary>The DHCP server's lease records, for the services that publish what it hands out (the pooled clients' DNS names).</summary>
public interface IDhcpLeases
{
    /// <summary>A copy of every lease record now (bound, released, declined; ended ones too): empty before DHCP starts.</summary>
    IReadOnlyList<DhcpLease> Snapshot();

    /// <summary>
    /// Raised once the lease store is open, and after an address is bound to a new client or name, released or
    /// declined; not after a renewal (only the lease's end moves). Raised on a DHCP thread: a handler must not wait.
    /// </summary>
    event Action? Changed;
}
