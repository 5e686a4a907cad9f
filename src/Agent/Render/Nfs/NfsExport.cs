using System.Collections.Immutable;

namespace NetbootPi.Agent.Render.Nfs;

/// <summary>One directory the box exports, to its clients, under one stable file-system id.</summary>
/// <param name="Fsid">The export's <c>fsid=</c>: a UUID derived from <paramref name="Path"/> (<see cref="NfsExports.Fsid"/>).</param>
public sealed record NfsExport(string Path, string Fsid, ImmutableArray<NfsExportClient> Clients);
