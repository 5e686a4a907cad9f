namespace NetbootPi.Protocols.Dhcp;

/// <summary>Option codes this server reads or writes (RFC 2132 unless noted).</summary>
public enum DhcpOptionCode : byte
{
    Pad = 0,
    SubnetMask = 1,
    Router = 3,
    DomainNameServer = 6,
    HostName = 12,
    DomainName = 15,
    BroadcastAddress = 28,
    VendorSpecific = 43,
    RequestedIpAddress = 50,
    LeaseTime = 51,
    Overload = 52,
    MessageType = 53,
    ServerIdentifier = 54,
    ParameterRequestList = 55,
    Message = 56,
    MaximumMessageSize = 57,
    RenewalTime = 58,
    RebindingTime = 59,
    VendorClassIdentifier = 60,
    ClientIdentifier = 61,
    TftpServerName = 66,
    BootFileName = 67,
    /// <summary>RFC 3004.</summary>
    UserClass = 77,
    /// <summary>RFC 4702.</summary>
    ClientFqdn = 81,
    /// <summary>RFC 3046.</summary>
    RelayAgentInformation = 82,
    /// <summary>RFC 4578 §2.1.</summary>
    ClientSystemArchitecture = 93,
    /// <summary>RFC 4578 §2.2.</summary>
    ClientNetworkInterface = 94,
    /// <summary>RFC 4578 §2.3.</summary>
    ClientMachineIdentifier = 97,
    /// <summary>iPXE's encapsulated options (not IANA-assigned; iPXE's docs/dhcp.h).</summary>
    IpxeEncapsulated = 175,
    End = 255,
}
