namespace NetbootPi.Agent.Render.Boot;

/// <summary>
/// What a script needs to know about the request it answers: the box as the client reached it. Taken from the
/// connection (local address and port), so a script always points back at an address the client can reach,
/// also for machines whose network the site cannot tell.
/// </summary>
/// <param name="BoxUrl">Base URL of the box's HTTP service, e.g. <c>http://10.69.0.1</c> or <c>http://10.69.0.1:8080</c>.</param>
/// <param name="BoxAddress">The box's address alone, for <c>nfsroot=BOX:PATH</c>.</param>
public sealed record BootRequest(string BoxUrl, string BoxAddress);
