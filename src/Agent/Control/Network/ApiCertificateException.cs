namespace NetbootPi.Agent.Control.Network;

/// <summary>The control API's certificate cannot be read or made; the message names the files and what to check.</summary>
public sealed class ApiCertificateException(string message, Exception? inner = null) : Exception(message, inner);
