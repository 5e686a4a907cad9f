namespace NetbootPi.Protocols.Qmp;

/// <summary>qemu answered a command with an error (its class and description), or the socket broke.</summary>
public sealed class QmpException(string message, Exception? inner = null) : Exception(message, inner);
