namespace NetbootPi.Protocols.Dhcp;

/// <summary>Option 53 values (RFC 2132 §9.6; 9–18 from later RFCs, parsed but never served).</summary>
public enum DhcpMessageType : byte
{
    None = 0,
    Discover = 1,
    Offer = 2,
    Request = 3,
    Decline = 4,
    Ack = 5,
    Nak = 6,
    Release = 7,
    Inform = 8,
}
