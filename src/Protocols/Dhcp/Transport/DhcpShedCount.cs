namespace NetbootPi.Protocols.Dhcp.Transport;

/// <summary>Requests one listener dropped on purpose since it started, because the box could not keep up.</summary>
/// <param name="Port">67, or 4011 (the PXE boot server port).</param>
/// <param name="Discovers">DISCOVERs dropped (the oldest waiting each time).</param>
/// <param name="Others">REQUEST, DECLINE or RELEASE dropped (only when their own ring was full).</param>
/// <param name="Informs">INFORMs dropped (only when their own ring was full).</param>
public readonly record struct DhcpShedCount(string Interface, int Port, long Discovers, long Others, long Informs);
