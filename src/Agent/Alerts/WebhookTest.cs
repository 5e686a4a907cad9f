using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Alerts;

/// <summary>One webhook's answer to a test alert.</summary>
public sealed record WebhookTest(WebhookSettings Hook, WebhookOutcome Outcome);
