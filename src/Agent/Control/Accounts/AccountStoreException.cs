namespace NetbootPi.Agent.Control.Accounts;

/// <summary>The accounts file cannot be read: its message names the file, where in it, and what is wrong.</summary>
public sealed class AccountStoreException(string message, Exception? inner = null) : Exception(message, inner);
