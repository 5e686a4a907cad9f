namespace NetbootPi.Agent.Site;

/// <summary>
/// One problem in a site file, printed as <c>FILE:LINE:COLUMN: key.path: what is wrong (what was expected)</c>
/// so that editors and terminals can jump to it.
/// </summary>
public sealed record SiteError(SourceLocation Location, string KeyPath, string Message)
{
    public override string ToString() => $"{Location}: {KeyPath}: {Message}";
}
