namespace NetbootPi.Agent.Render.Network;

/// <summary>One file a renderer wants in its directory: its name there (no folders) and its whole text.</summary>
public sealed record NetworkFile(string Name, string Content);
