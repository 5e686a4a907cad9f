namespace NetbootPi.Agent.Backup;

/// <summary>One file of a backup: its path in the archive (<c>site/NAME</c> or <c>state/PATH</c>), size and SHA-256 (hex).</summary>
public sealed record BackupFileEntry(string Path, long Size, string Sha256);
