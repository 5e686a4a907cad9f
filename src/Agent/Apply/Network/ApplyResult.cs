namespace NetbootPi.Agent.Apply.Network;

/// <summary>How a request to change the box's network ended.</summary>
public enum ApplyResult
{
    /// <summary>Applied and confirmed (it was the confirmed network, or the first the agent ever applied).</summary>
    Confirmed,
    /// <summary>Applied; put back at the deadline unless confirmed.</summary>
    Pending,
    /// <summary>The box already is as wanted (nothing ran) or the backend is none.</summary>
    Unchanged,
    /// <summary>The lock-out guard refused it; nothing changed.</summary>
    Refused,
    /// <summary>A change that was put back for want of a confirm, not applied again on its own (restart or reload).</summary>
    NotRetried,
    /// <summary>A step failed; what was there before was put back.</summary>
    Failed,
}
