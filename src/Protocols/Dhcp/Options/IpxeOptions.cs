namespace NetbootPi.Protocols.Dhcp.Options;

/// <summary>iPXE's encapsulated option 175 (iPXE include/ipxe/dhcp.h).</summary>
public static class IpxeOptions
{
    /// <summary>175.176 "skip ProxyDHCP wait": 1 tells iPXE not to wait for a ProxyDHCP offer.</summary>
    public const byte NoPxeDhcp = 176;

    /// <summary>iPXE identifies itself with option 175 or user class "iPXE" (its default build sends both).</summary>
    public static bool IsIpxe(DhcpOptionSet options) =>
        options.Contains(DhcpOptionCode.IpxeEncapsulated) || UserClass.Contains(options, UserClass.Ipxe);

    /// <summary>The 3-byte value of option 175 carrying 176 = 1.</summary>
    public static ReadOnlySpan<byte> NoPxeDhcpValue => [NoPxeDhcp, 1, 1];
}
