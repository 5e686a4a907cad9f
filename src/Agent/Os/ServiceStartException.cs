namespace NetbootPi.Agent.Os;

/// <summary>
/// A service of the agent that cannot start. Its message is one sentence for the person starting the agent: which
/// service, what it could not do, and what to check; the cause is kept as the inner exception.
/// </summary>
public class ServiceStartException(string message, Exception? inner = null) : Exception(message, inner);
