namespace NetbootPi.Agent.Apply.Network;

/// <summary>The end of a network change: how, a sentence saying so, the plan carried out, and the confirm deadline if one runs.</summary>
public sealed record ApplyOutcome(ApplyResult Result, string Message, ApplyPlan Plan, DateTimeOffset? Deadline = null);
