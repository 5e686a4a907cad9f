namespace NetbootPi.Agent.Backup;

/// <summary>A backup that cannot be made, read or restored: the message says which file or entry, and why.</summary>
public sealed class BackupException(string message) : Exception(message);
