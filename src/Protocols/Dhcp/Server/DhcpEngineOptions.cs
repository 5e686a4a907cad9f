namespace NetbootPi.Protocols.Dhcp.Server;

/// <summary>Engine timings that are not per network.</summary>
public sealed class DhcpEngineOptions
{
    /// <summary>How long an OFFERed address is kept for its client (RFC 2131 §4.3.1 leaves it to the server).</summary>
    public TimeSpan OfferHold { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest first lease of a client this server has never bound (no reservation, no lease remembered for its
    /// MAC); null gives every client the network's lease time. A client proves itself by renewing, and from then
    /// on gets the network's lease time. One cycling through random MACs never renews, so what it took comes back
    /// to the pool this soon after it stops (docs/dhcp.md: starvation).
    /// </summary>
    public TimeSpan? ProbationLease { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an address reported in use by DHCPDECLINE is kept out of the pool.</summary>
    public TimeSpan DeclineQuarantine { get; init; } = TimeSpan.FromMinutes(10);
}
