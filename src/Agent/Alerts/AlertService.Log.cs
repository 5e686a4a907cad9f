using Microsoft.Extensions.Logging;

namespace NetbootPi.Agent.Alerts;

// Webhooks are named by their place in the list and their URL's origin, never the path (it may hold a token) and
// never the secret.
public sealed partial class AlertService
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "alert {Kind} {Id}: {Message}")]
    private partial void LogAlert(string kind, string id, string message);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "alert {Kind} {Id} delivered to {Webhook} at attempt {Attempt} ({Outcome})")]
    private partial void LogDelivered(string kind, string id, string webhook, int attempt, string outcome);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "alert {Kind} {Id} to {Webhook}: attempt {Attempt} failed ({Outcome}); the next in {Seconds} s")]
    private partial void LogRetrying(string kind, string id, string webhook, int attempt, string outcome, long seconds);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Error, Message = "alert {Kind} {Id} not delivered to {Webhook}: {Attempts} attempts failed, the last: {Outcome} (check that the receiver is up and reachable from the box)")]
    private partial void LogGaveUp(string kind, string id, string webhook, int attempts, string outcome);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "alert {Kind} {Id} to {Webhook}: not delivered, the agent stopped")]
    private partial void LogStopped(string kind, string id, string webhook);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Information, Message = "test alert {Id} to {Webhook}: {Result} ({Outcome})")]
    private partial void LogTested(string id, string webhook, string result, string outcome);
}
