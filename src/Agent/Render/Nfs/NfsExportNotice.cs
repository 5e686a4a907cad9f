using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Render.Nfs;

/// <summary>
/// Something in the site that gets no export although it looks as if it should (a host without an address), or an
/// export that is probably not meant (two hosts writing one tree). <c>netbootpi check</c> prints these as warnings.
/// </summary>
public sealed record NfsExportNotice(SourceLocation Location, string KeyPath, string Message)
{
    /// <summary>As <c>FILE:LINE:COLUMN: key.path: warning: ...</c>, the shape of a site error.</summary>
    public override string ToString() => $"{Location}: {KeyPath}: warning: {Message}";
}
