using NetbootPi.Agent.Render.Nfs;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Apply.Nfs;

/// <summary>
/// The box's NFS exports as a site wants them: our exports file's text and our nfs.conf.d file (mountd's fixed
/// port), or both null when the site exports nothing.
/// </summary>
public sealed record NfsWanted(string? Exports, string? PortsConfig)
{
    /// <summary>
    /// What <paramref name="site"/> wants. A site that exports nothing wants no file (rather than one of comments), so
    /// a box whose site never had NFS roots is left exactly as it was.
    /// </summary>
    public static NfsWanted From(SiteInventory site)
    {
        var set = NfsExports.Render(site);
        return set.Exports.IsEmpty ? new NfsWanted(null, null) : new NfsWanted(set.Text, NfsExports.PortsConfigText);
    }
}
