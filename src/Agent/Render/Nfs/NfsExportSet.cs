using System.Collections.Immutable;

namespace NetbootPi.Agent.Render.Nfs;

/// <summary>Everything a site exports over NFS (ordered by path), its exports file, and what the site leaves unexported.</summary>
/// <param name="Text">The exports file (<c>/etc/exports.d/netbootpi.exports</c>); only comments when there is nothing to export.</param>
public sealed record NfsExportSet(ImmutableArray<NfsExport> Exports, ImmutableArray<NfsExportNotice> Notices, string Text);
