namespace NetbootPi.Agent.Apply;

/// <summary>What one step of an <see cref="ApplyPlan"/> does besides writing files.</summary>
public enum PlanAction
{
    /// <summary>Runs a tool (<see cref="PlanStep.Tool"/>); a non-zero exit fails the apply.</summary>
    RunTool,
    /// <summary>Starts a systemd unit and waits for its job.</summary>
    StartUnit,
    /// <summary>Restarts a systemd unit (to read a changed configuration file) and waits for its job.</summary>
    RestartUnit,
    /// <summary>Stops a systemd unit and waits for its job.</summary>
    StopUnit,
    /// <summary>Deletes a network link the configuration no longer has (networkd keeps netdevs whose files went).</summary>
    DeleteLink,
    /// <summary>Asks systemd-networkd to read its files again (<c>org.freedesktop.network1.Manager.Reload</c>).</summary>
    ReloadNetworkd,
    /// <summary>Makes a WireGuard private key file (<see cref="PlanStep.Target"/>) that is not there yet.</summary>
    CreateKey,
    /// <summary>Fails the apply when a local UDP port (<see cref="PlanStep.Target"/>) already has a socket: a tunnel about to be created needs it.</summary>
    CheckUdpPort,
}
