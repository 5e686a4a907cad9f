namespace NetbootPi.Hardware.Tests.Power;

/// <summary>
/// The wires between a controller's lines and a <see cref="SimulatedMotherboard"/>: which line drives which
/// button (through an optocoupler that conducts at the pressed level), and what the LED sense line reads. A sense
/// line nobody pulls floats: it reads whatever it picked up last, here alternating, as an unpulled CMOS input does.
/// </summary>
internal sealed class FrontPanelWiring(SimulatedMotherboard board, int powerLine, int? resetLine, int? ledLine,
    bool pressActiveLow = false, bool ledActiveLow = true)
{
    private bool _floating;

    public SimulatedMotherboard Board => board;
    public int PowerLine => powerLine;
    public int? ResetLine => resetLine;
    public int? LedLine => ledLine;
    public bool PressActiveLow => pressActiveLow;
    public bool LedActiveLow => ledActiveLow;

    /// <summary>A controller line drives <paramref name="line"/> to <paramref name="high"/>.</summary>
    public void Drive(int line, bool high)
    {
        var pressed = high != pressActiveLow;
        if (line == powerLine) board.SetPowerButton(pressed);
        else if (line == resetLine) board.SetResetButton(pressed);
    }

    /// <summary>A line no longer driven (made an input, or closed): the optocoupler's LED is dark, the button let go.</summary>
    public void Release(int line)
    {
        if (line == powerLine) board.SetPowerButton(false);
        else if (line == resetLine) board.SetResetButton(false);
    }

    /// <summary>The level an input <paramref name="line"/> reads, with the controller's pull-up or pull-down (or none).</summary>
    public bool Sense(int line, bool pullUp, bool pullDown)
    {
        if (line == ledLine)
        {
            // Lit: the optocoupler's transistor conducts and pulls the line to its active level.
            if (board.LedLit) return !ledActiveLow;
            if (ledActiveLow && pullUp) return true;
            if (!ledActiveLow && pullDown) return false;
        }
        else if (pullUp || pullDown) return pullUp;
        _floating = !_floating;
        return _floating;
    }
}
