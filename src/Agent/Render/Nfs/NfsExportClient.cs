namespace NetbootPi.Agent.Render.Nfs;

/// <summary>
/// One client of an export: a host's address (<c>10.69.1.3</c>) or a network (<c>10.69.0.0/16</c>), with what it may do.
/// </summary>
/// <param name="For">Who this is, for the comment above the line: the host with its MAC and profile, or the networks' names.</param>
public sealed record NfsExportClient(string Client, bool ReadOnly, string For);
