namespace NetbootPi.Hardware.Power;

/// <summary>How an <see cref="AtxPower"/> action ended.</summary>
public enum AtxOutcome
{
    /// <summary>Pressed, and the LED shows the state asked for (or, for reset, the host is still on).</summary>
    Done,

    /// <summary>The LED showed the state asked for already: nothing was pressed.</summary>
    AlreadyThere,

    /// <summary>Pressed, but the LED did not reach the state asked for within the action's time.</summary>
    NotConfirmed,

    /// <summary>Pressed with no LED sense wired: nobody can tell what happened.</summary>
    Unconfirmed,

    /// <summary>Reset asked for, but no reset line is wired.</summary>
    NoResetLine,

    /// <summary>Reset asked for, but the LED shows the host off: a reset press does nothing then.</summary>
    HostOff,
}
