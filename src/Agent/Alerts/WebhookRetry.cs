namespace NetbootPi.Agent.Alerts;

/// <summary>A delivery that failed its <see cref="Attempt"/>-th attempt and waits <see cref="Delay"/> before the next.</summary>
public sealed record WebhookRetry(int Webhook, string AlertId, int Attempt, TimeSpan Delay, WebhookOutcome Outcome);
