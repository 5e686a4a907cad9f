namespace NetbootPi.Protocols.Dhcp;

/// <summary>The BOOTP <c>op</c> field (RFC 2131 §2).</summary>
public enum DhcpOperation : byte
{
    BootRequest = 1,
    BootReply = 2,
}
