namespace NetbootPi.Agent.Site;

/// <summary>What an operator must hear about (docs/alerts.md); a webhook may listen to some of them only.</summary>
public enum AlertKind
{
    /// <summary>Recovery power-cycled a host to its limit and marked it failed.</summary>
    HostFailed,
    /// <summary>A reload (SIGHUP, <c>netbootpi reload</c>) refused the site file; the running site stays.</summary>
    SiteRejected,
    /// <summary>A client on a network the box serves took its address from another DHCP server.</summary>
    RogueDhcp,
    /// <summary><c>netbootpi alerts test</c>: sent to every webhook, whatever its kinds.</summary>
    Test,
    /// <summary>A scheduled backup (<c>backup.every</c>) failed.</summary>
    BackupFailed,
    /// <summary>No backup has been written for longer than twice <c>backup.every</c>.</summary>
    BackupOverdue,
}
