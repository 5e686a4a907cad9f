namespace NetbootPi.Agent.Alerts;

/// <summary>A test alert (<c>netbootpi alerts test</c>) and how each webhook answered it.</summary>
public sealed record AlertTest(Alert Alert, IReadOnlyList<WebhookTest> Webhooks);
