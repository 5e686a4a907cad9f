namespace NetbootPi.Agent.Os.Systemd;

/// <summary>
/// A unit's state as systemd reports it: LoadState ("loaded", "not-found", "masked", ...), ActiveState
/// ("active", "inactive", "activating", "deactivating", "failed", "reloading") and SubState ("running", "dead", ...).
/// </summary>
public readonly record struct UnitState(string LoadState, string ActiveState, string SubState)
{
    public bool IsActive => ActiveState == "active";

    public bool IsFailed => ActiveState == "failed";

    public override string ToString() => $"{LoadState} {ActiveState} ({SubState})";
}
