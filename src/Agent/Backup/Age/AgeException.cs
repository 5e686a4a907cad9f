namespace NetbootPi.Agent.Backup.Age;

/// <summary>An age file that this identity does not open, or that is malformed, truncated or altered: the message says which.</summary>
public sealed class AgeException(string message) : Exception(message);
