namespace NetbootPi.Agent.Power;

/// <summary>A host's power could not be reached: the message names the host, the medium (line, socket, address) and what to check.</summary>
public sealed class PowerException(string message, Exception? inner = null) : Exception(message, inner);
