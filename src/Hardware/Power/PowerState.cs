namespace NetbootPi.Hardware.Power;

/// <summary>A host's power as its power LED (or BMC, or hypervisor) shows it.</summary>
public enum PowerState
{
    /// <summary>Nothing tells: no LED sense wired, or the LED did not hold one level for the debounce window (blinking).</summary>
    Unknown,
    Off,
    On,
}
