namespace NetbootPi.Agent.NfsRoots;

/// <summary>A root could not be created or removed; the message names the path and what to check.</summary>
public sealed class NfsRootException(string message, Exception? inner = null) : Exception(message, inner);
