namespace NetbootPi.Agent.Apply.Network;

/// <summary>
/// What survives a restart or a reboot of the agent about its network: the last confirmed network, the change
/// waiting for its confirm (if any), and the last change that was put back for want of one (so a restart does not
/// apply it again on its own).
/// </summary>
public sealed record ConfirmState(NetworkWanted? Confirmed, PendingChange? Pending, NetworkWanted? Rejected)
{
    public static readonly ConfirmState Initial = new(null, null, null);
}
