namespace NetbootPi.Agent.Consoles;

/// <summary>A line of a host's console and when it came.</summary>
public sealed record ConsoleLine(DateTimeOffset Time, string Text);
