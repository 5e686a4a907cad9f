using System.Collections.Immutable;
using NetbootPi.Agent.Age;

namespace NetbootPi.Agent.Site;

/// <summary>
/// <c>backup:</c> of the site file: the age recipients a backup is encrypted to (the operators' public keys), the
/// folder backups go to by default, how many of them are kept there, and how often the agent writes one itself
/// (null: only when asked) (docs/backup.md).
/// </summary>
public sealed record BackupSettings(ImmutableArray<AgeRecipient> Recipients, string? To, int Keep, TimeSpan? Every, SourceLocation Location)
{
    public const int DefaultKeep = 7;
}
