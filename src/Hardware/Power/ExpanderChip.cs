namespace NetbootPi.Hardware.Power;

/// <summary>The I²C GPIO expanders a front panel can be wired through.</summary>
public enum ExpanderChip
{
    /// <summary>16 lines: GPA0-7 are 0-7, GPB0-7 are 8-15.</summary>
    Mcp23017,

    /// <summary>8 lines: GP0-7.</summary>
    Mcp23008,
}
