namespace NetbootPi.Agent.Os.Network;

/// <summary>systemd-networkd could not be reached or refused a call; the message says which and what to check.</summary>
public sealed class NetworkdException(string message, Exception? inner = null) : Exception(message, inner);
