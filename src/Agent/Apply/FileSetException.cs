namespace NetbootPi.Agent.Apply;

/// <summary>A set of files that could not be changed as one step; the message says which file and whether the rest is as it was.</summary>
public sealed class FileSetException(string message, Exception inner) : IOException(message, inner);
