namespace NetbootPi.Agent.Power;

/// <summary>A one-time network boot cannot be set for a host: the message says why and what in the site would allow it.</summary>
public sealed class BootOverrideException(string message) : Exception(message);
