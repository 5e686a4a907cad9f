namespace NetbootPi.Agent.Alerts;

/// <summary>How one POST to a webhook ended: delivered (a 2xx answer) or not, the HTTP status if one came, one sentence.</summary>
public sealed record WebhookOutcome(bool Delivered, int? Status, string Message);
