namespace NetbootPi.Agent.Os.Network;

/// <summary>
/// systemd-networkd as the network applier needs it: reload its files, and the links it knows with their states
/// (for <c>netbootpi show network</c>).
/// </summary>
/// <remarks>Errors are <see cref="NetworkdException"/>, naming the bus and what networkd (or the bus) said.</remarks>
public interface INetworkd
{
    /// <summary>Reload(): networkd reads its files again, creates the netdevs that are new, reconfigures links whose file changed.</summary>
    Task ReloadAsync(CancellationToken cancellationToken = default);

    /// <summary>Every link networkd knows, with its operational and administrative state.</summary>
    Task<IReadOnlyList<NetworkdLink>> LinksAsync(CancellationToken cancellationToken = default);
}
