namespace NetbootPi.Protocols.Dhcp.Leases;

/// <summary>What a lease record says about its address.</summary>
public enum DhcpLeaseState : byte
{
    /// <summary>ACKed to the client until <see cref="DhcpLease.ExpiresAt"/>.</summary>
    Bound = 1,
    /// <summary>The client released it; kept so the same MAC gets it back.</summary>
    Released = 2,
    /// <summary>A client reported it in use by someone else (DHCPDECLINE); not handed out until expiry.</summary>
    Declined = 3,
}
