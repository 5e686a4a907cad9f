using System.Collections.Immutable;
using NetbootPi.Agent.Age;

namespace NetbootPi.Agent.Site;

/// <summary>
/// <c>backup:</c> of the site file: the age recipients a backup is encrypted to (the operators' public keys), where
/// backups go by default (a folder, an SSH server's folder, a git repository: <see cref="BackupDestination"/>), how
/// many of them are kept there, how often the agent writes one itself (null: only when asked), and the SSH host key
/// an SSH or git destination must show (<c>TYPE BASE64</c>, as its <c>ssh_host_*_key.pub</c> has it) (docs/backup.md).
/// </summary>
public sealed record BackupSettings(ImmutableArray<AgeRecipient> Recipients, string? To, int Keep, TimeSpan? Every, SourceLocation Location, string? HostKey = null)
{
    public const int DefaultKeep = 7;
}
