namespace NetbootPi.Agent.Site;

/// <summary>How putting a new site file in place ended.</summary>
public enum SiteApplyOutcome
{
    /// <summary>Written (the file before it kept as <c>SITE.previous</c>) and running.</summary>
    Applied,

    /// <summary>The file already had this text; it is what runs now.</summary>
    Unchanged,

    /// <summary>The text has errors, or changes what takes a restart: nothing was written, the running site stays.</summary>
    Invalid,

    /// <summary>The file on disk is not the one the caller read (its SHA-256 differs): nothing was written.</summary>
    Stale,

    /// <summary>Rollback asked for, but there is no previous file.</summary>
    NoPrevious,

    /// <summary>The file system refused a write: what is on disk is what was there, the running site stays.</summary>
    Failed,
}

/// <summary>
/// The result of <see cref="SiteReloader.Apply"/>: the outcome, the site now running (on success), the located errors
/// (<see cref="SiteApplyOutcome.Invalid"/>), or a sentence for the other refusals.
/// </summary>
public sealed record SiteApplyResult(SiteApplyOutcome Outcome, IReadOnlyList<SiteError> Errors, string? Message = null)
{
    public bool Succeeded => Outcome is SiteApplyOutcome.Applied or SiteApplyOutcome.Unchanged;
}
