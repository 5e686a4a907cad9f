namespace NetbootPi.Hardware.Power;

/// <summary>What an <see cref="AtxPower"/> action did: its outcome, and the LED's state before and after.</summary>
public sealed record AtxResult(AtxOutcome Outcome, PowerState Before, PowerState After)
{
    public bool Succeeded => Outcome is AtxOutcome.Done or AtxOutcome.AlreadyThere or AtxOutcome.Unconfirmed;
}
