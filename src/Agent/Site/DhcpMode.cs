namespace NetbootPi.Agent.Site;

public enum DhcpMode
{
    /// <summary>The box hands out no addresses on this network.</summary>
    Off,
    /// <summary>The box is the DHCP server: addresses, options and boot offers; NAKs wrong addresses.</summary>
    Authoritative,
    /// <summary>Another server hands out addresses; the box answers PXE clients with boot information only.</summary>
    Proxy,
}
