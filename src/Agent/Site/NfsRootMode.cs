namespace NetbootPi.Agent.Site;

/// <summary>How a profile's <c>nfsroot</c> is exported (<c>nfsroot_mode:</c>).</summary>
public enum NfsRootMode
{
    /// <summary><c>per-host</c> (the default): each host's expanded path, read-write to that host's address only.</summary>
    PerHost,
    /// <summary><c>shared-ro</c>: one directory, read-only to the networks whose machines boot the profile.</summary>
    SharedReadOnly,
}
