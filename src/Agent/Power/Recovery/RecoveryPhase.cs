namespace NetbootPi.Agent.Power.Recovery;

/// <summary>Where a watched host stands (docs/power.md, "Host recovery").</summary>
public enum RecoveryPhase
{
    /// <summary>Nothing seen yet since the agent started: not expected to do anything.</summary>
    Unknown,

    /// <summary>Turned off through the box: left alone until it is turned on or boots.</summary>
    Off,

    /// <summary>A boot is under way and must be up by its deadline.</summary>
    Booting,

    /// <summary>Up: its probe answers, or (without a probe) its kernel was fetched.</summary>
    Up,

    /// <summary>A boot ran out of time; the next power cycle waits out its back-off.</summary>
    Waiting,

    /// <summary>The box is power-cycling it now.</summary>
    Cycling,

    /// <summary>Cycled as often as the policy allows without coming up: left alone until it comes up or is powered through the box.</summary>
    Failed,
}
