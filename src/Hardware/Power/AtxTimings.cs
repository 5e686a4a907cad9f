namespace NetbootPi.Hardware.Power;

/// <summary>How long the buttons are held and how long the LED is watched. The defaults suit ATX boards: most
/// take a press of 100 ms or more, and force the power off after a hold of 4 s.</summary>
public sealed record AtxTimings
{
    /// <summary>A press that turns a host on, or asks its OS to shut down (ACPI power button).</summary>
    public TimeSpan ShortPress { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A hold that makes the board cut its power whatever the OS does (4 s in the ATX specification; a margin over it).</summary>
    public TimeSpan LongPress { get; init; } = TimeSpan.FromSeconds(6);

    public TimeSpan ResetPress { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long the LED line must keep one level to count: longer than a contact's or optocoupler's bounce.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long after a short press the LED must light.</summary>
    public TimeSpan OnTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the OS is given to shut down after a short press, before "off" says it did not.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the power stays off in a cycle: a power supply needs a few seconds before it starts again cleanly.</summary>
    public TimeSpan CycleOffTime { get; init; } = TimeSpan.FromSeconds(5);

    public static AtxTimings Default { get; } = new();
}
