namespace NetbootPi.Agent.Apply;

/// <summary>An apply that failed at one step; the message names the step and what the tool or service said.</summary>
public sealed class ApplyException(string message, Exception? inner = null) : Exception(message, inner);
