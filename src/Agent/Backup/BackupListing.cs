namespace NetbootPi.Agent.Backup;

/// <summary>One backup at a destination: its file name and size in bytes.</summary>
public sealed record BackupListing(string Name, long Size);
