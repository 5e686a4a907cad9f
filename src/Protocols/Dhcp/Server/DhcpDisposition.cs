namespace NetbootPi.Protocols.Dhcp.Server;

/// <summary>What the engine did with a request; everything but <see cref="Reply"/> means nothing is sent.</summary>
public enum DhcpDisposition
{
    /// <summary>A reply is in the buffer; send it along the route (after the commit ticket, if any).</summary>
    Reply,
    /// <summary>op is BOOTREPLY: another server's message.</summary>
    NotARequest,
    /// <summary>Not Ethernet (htype 1, hlen 6); leases are keyed by MAC.</summary>
    NotEthernet,
    /// <summary>Option 53 is a server-to-client type (OFFER, ACK, NAK).</summary>
    UnexpectedMessageType,
    /// <summary>No served network for the arrival interface (direct) or containing giaddr (relayed).</summary>
    UnknownNetwork,
    /// <summary>
    /// A relayed request for a network the box is not on, whose destination address is unknown (not a unicast
    /// address of the box): there is no address to name as the server.
    /// </summary>
    NoServerAddress,
    /// <summary>The client addressed another server (option 54): any offer held for it is released.</summary>
    OtherServerSelected,
    /// <summary>No free address in the pool.</summary>
    PoolExhausted,
    /// <summary>The address was quarantined after a DHCPDECLINE.</summary>
    Declined,
    /// <summary>The lease was released.</summary>
    Released,
    /// <summary>DECLINE or RELEASE about an address this client does not hold here: ignored.</summary>
    NoMatchingLease,
    /// <summary>A proxy-mode network ignores clients that are not PXE clients (option 60 "PXEClient").</summary>
    ProxyNotPxeClient,
    /// <summary>A proxy-mode network has no boot offer for this client, or ignores this message type on this port.</summary>
    ProxyNothingToSay,
    /// <summary>Port 4011 traffic for a network that is not in proxy mode.</summary>
    NotProxyNetwork,
    /// <summary>The required options do not fit the client's maximum message size.</summary>
    ReplyTooLarge,
}
