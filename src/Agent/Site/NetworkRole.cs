namespace NetbootPi.Agent.Site;

/// <summary>
/// What a network is for. The firewall's defaults (and the control API, DNS and WireGuard as they come) go by a
/// network's role, never by its name.
/// </summary>
public enum NetworkRole
{
    /// <summary>Neither of the others: the box answers pings there and nothing else unless the firewall says so.</summary>
    Other,
    /// <summary>Where the operators reach the box (SSH; the console and API later). Exactly one per site.</summary>
    Management,
    /// <summary>Where machines boot from the box: DHCP, TFTP and HTTP boot answer there.</summary>
    Boot,
    /// <summary>The uplink: nothing answers there by default, and masqueraded networks leave through it.</summary>
    Wan,
}
