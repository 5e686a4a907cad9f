using System.Collections.Immutable;
using NetbootPi.Agent.Backup.Age;

namespace NetbootPi.Agent.Site;

/// <summary>
/// <c>backup:</c> of the site file: the age recipients a backup is encrypted to (the operators' public keys), the
/// folder backups go to by default, and how many of them are kept there (docs/backup.md).
/// </summary>
public sealed record BackupSettings(ImmutableArray<AgeRecipient> Recipients, string? To, int Keep, SourceLocation Location)
{
    public const int DefaultKeep = 7;
}
