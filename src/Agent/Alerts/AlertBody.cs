using System.Text.Json.Serialization;

namespace NetbootPi.Agent.Alerts;

/// <summary>
/// What a webhook receives (docs/alerts.md): the alert's id (the same in every retry), its kind, the box's host
/// name and the site's name, when it happened, the host it is about (or null), one sentence and further lines.
/// </summary>
internal sealed record AlertBody(string Id, string Kind, string Box, string Site, DateTimeOffset Time, string? Host, string Message, string[] Details);

/// <summary>One webhook's outcome in POST /api/v1/alerts/test: which (its place in the list and its URL's origin), whether it answered 2xx, its HTTP status (null when none came), a sentence.</summary>
internal sealed record WebhookTestReply(int Index, string Url, bool Delivered, int? Status, string Message);

/// <summary>POST /api/v1/alerts/test: the test alert's id and each webhook's outcome.</summary>
internal sealed record AlertTestReply(string Id, WebhookTestReply[] Webhooks);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AlertBody))]
internal sealed partial class AlertJson : JsonSerializerContext;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(AlertTestReply))]
internal sealed partial class AlertReplyJson : JsonSerializerContext;
