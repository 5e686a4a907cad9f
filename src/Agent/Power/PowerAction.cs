namespace NetbootPi.Agent.Power;

/// <summary>What <c>netbootpi power HOST ACTION</c> asks of a host's power.</summary>
public enum PowerAction
{
    Status,
    On,

    /// <summary>Graceful: the OS is asked to shut down (ACPI power button, or a BMC's or hypervisor's equivalent).</summary>
    Off,

    /// <summary>The power cut whatever the OS does.</summary>
    ForceOff,

    /// <summary>Off (forced) for a few seconds, then on.</summary>
    Cycle,

    /// <summary>The reset button: a running host restarts without losing power.</summary>
    Reset,
}
