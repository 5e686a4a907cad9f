namespace NetbootPi.Agent.Site;

/// <summary>The names of <see cref="AlertKind"/> in the site file, the webhooks' bodies and the event log.</summary>
public static class AlertKinds
{
    /// <summary>The kinds a webhook can ask for (<c>test</c> goes to every webhook and is not listed).</summary>
    public static readonly AlertKind[] Listenable = [AlertKind.HostFailed, AlertKind.SiteRejected, AlertKind.RogueDhcp, AlertKind.BackupFailed, AlertKind.BackupOverdue];

    /// <summary>Every kind, in the order of the enum.</summary>
    public static readonly AlertKind[] All = [AlertKind.HostFailed, AlertKind.SiteRejected, AlertKind.RogueDhcp, AlertKind.Test, AlertKind.BackupFailed, AlertKind.BackupOverdue];

    public static string Name(AlertKind kind) => kind switch
    {
        AlertKind.HostFailed => "host-failed",
        AlertKind.SiteRejected => "site-rejected",
        AlertKind.RogueDhcp => "rogue-dhcp",
        AlertKind.BackupFailed => "backup-failed",
        AlertKind.BackupOverdue => "backup-overdue",
        _ => "test",
    };

    public static AlertKind? Parse(string name) => name switch
    {
        "host-failed" => AlertKind.HostFailed,
        "site-rejected" => AlertKind.SiteRejected,
        "rogue-dhcp" => AlertKind.RogueDhcp,
        "backup-failed" => AlertKind.BackupFailed,
        "backup-overdue" => AlertKind.BackupOverdue,
        "test" => AlertKind.Test,
        _ => null,
    };
}
