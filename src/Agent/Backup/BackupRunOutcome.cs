namespace NetbootPi.Agent.Backup;

/// <summary>What one look at the backup schedule did: the backup it wrote (null: none), and how long until the next look.</summary>
public sealed record BackupRunOutcome(string? Written, TimeSpan Wait);
