namespace NetbootPi.Agent.Capture;

/// <summary>The capture could not do what was asked; the message says why and what to check.</summary>
public sealed class CaptureException(string message, Exception? inner = null) : Exception(message, inner);
