namespace NetbootPi.Agent.Render.Install;

/// <summary>A host's install file cannot be rendered: its template has no value for a name (the site reader refuses such sites).</summary>
public sealed class InstallRenderException(string message) : Exception(message);
