namespace NetbootPi.Agent.Power.Recovery;

/// <summary>What a <see cref="HostRecovery"/> step asks of the agent: nothing, an event, or a power cycle.</summary>
public enum RecoveryNoteKind
{
    /// <summary>The host came up (after a boot the box watched, or found running).</summary>
    Up,

    /// <summary>A boot ran out of time and the cycle waits out its back-off.</summary>
    Waiting,

    /// <summary>Power-cycle the host now (<see cref="RecoveryNote.Cycle"/> of <see cref="RecoveryNote.Of"/>).</summary>
    Cycle,

    /// <summary>Cycled as often as allowed: the host is marked failed.</summary>
    GaveUp,
}

/// <summary>One step of a host's recovery, with the sentence that goes into its boot events.</summary>
public sealed record RecoveryNote(RecoveryNoteKind Kind, string Message, int Cycle = 0, int Of = 0);
