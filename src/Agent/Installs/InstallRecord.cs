namespace NetbootPi.Agent.Installs;

/// <summary>
/// One host's install as the box has seen it: its number (a reinstall starts the next), when the host first
/// fetched its file for this number, and when it reported completion (from where).
/// </summary>
public sealed record InstallRecord(string Host, int Generation, DateTimeOffset? Fetched, DateTimeOffset? Completed, string? CompletedFrom)
{
    public bool IsComplete => Completed is not null;
}
