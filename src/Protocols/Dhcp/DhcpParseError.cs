namespace NetbootPi.Protocols.Dhcp;

/// <summary>Why a received datagram was not accepted as a DHCP message. The receiver logs it and drops the datagram.</summary>
public enum DhcpParseError
{
    None = 0,
    /// <summary>Shorter than the 236-byte BOOTP header plus the 4-byte magic cookie.</summary>
    TooShort,
    /// <summary><c>op</c> is neither BOOTREQUEST (1) nor BOOTREPLY (2).</summary>
    BadOperation,
    /// <summary><c>hlen</c> exceeds the 16 bytes of <c>chaddr</c>.</summary>
    BadHardwareLength,
    /// <summary>The options do not start with 99.130.83.99 (RFC 2131 §3): plain BOOTP or not DHCP at all.</summary>
    BadMagicCookie,
    /// <summary>An option's length byte or data runs past the end of its field.</summary>
    OptionOverrun,
    /// <summary>A field carrying options has no END option (RFC 2131 §4.1 requires one in each).</summary>
    MissingEnd,
    /// <summary>Option 52 has a bad length or value, or appears outside the options field.</summary>
    BadOverload,
    /// <summary>A fixed-size option (53, 50, 51, 54, 57, 61, 93) has the wrong length.</summary>
    BadOptionLength,
    /// <summary>No option 53: a BOOTP request, which this server does not serve.</summary>
    MissingMessageType,
    /// <summary>Option 53 is outside 1..8.</summary>
    BadMessageType,
}
