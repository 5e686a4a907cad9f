namespace NetbootPi.Agent.Site;

/// <summary>Where backups go: a folder on the box, a folder on an SSH server (SFTP), or a git repository over SSH.</summary>
public enum BackupDestinationKind
{
    Folder,
    Sftp,
    Git,
}
