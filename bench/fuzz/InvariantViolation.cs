namespace NetbootPi.Fuzz;

/// <summary>A parser returned, but what it returned breaks a property every answer must have.</summary>
public sealed class InvariantViolation(string message) : Exception(message);
