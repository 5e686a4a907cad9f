namespace NetbootPi.Protocols.Dhcp.Server;

/// <summary>
/// An option the boot decision adds to the reply. <see cref="Always"/> options are sent even when the client's
/// parameter request list omits them and are never dropped for size (PXE ROMs need 60 and 43 whether or not
/// they ask); the others follow the request list.
/// </summary>
public sealed record DhcpBootOption(DhcpOptionCode Code, byte[] Value, bool Always = false);
