namespace NetbootPi.Agent.Control;

/// <summary>A query parameter of a control route: its name, whether it must be there, what it means.</summary>
public sealed record ControlQuery(string Name, bool Required, string Description);
