namespace NetbootPi.Protocols.Dhcp.Server;

/// <summary>Engine timings that are not per network.</summary>
public sealed class DhcpEngineOptions
{
    /// <summary>How long an OFFERed address is kept for its client (RFC 2131 §4.3.1 leaves it to the server).</summary>
    public TimeSpan OfferHold { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an address reported in use by DHCPDECLINE is kept out of the pool.</summary>
    public TimeSpan DeclineQuarantine { get; init; } = TimeSpan.FromMinutes(10);
}
