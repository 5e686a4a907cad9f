using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Alerts;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Control;

/// <summary>
/// <c>POST /api/v1/alerts/test</c>: a test alert to each of the site's webhooks, once, and each one's outcome
/// (docs/alerts.md). 200 when every webhook answered 2xx, 502 when one did not, 409 when the site has none.
/// </summary>
public sealed class AlertEndpoints(SiteState state, AlertService alerts) : IControlEndpoints
{
    public const string TestPath = "/api/v1/alerts/test";

    public IEnumerable<ControlRoute> Routes =>
    [
        new("POST", TestPath, ControlRole.Admin, Changes: true, TestAsync)
        {
            Summary = "Sends a test alert, signed, once to each webhook of the site whatever its kinds, and answers each one's outcome: 200 when all answered 2xx, 502 when one did not, 409 when the site has no webhooks.",
            Reply = AlertReplyJson.Default.AlertTestReply,
        },
    ];

    private async Task TestAsync(HttpContext context, ControlCaller caller)
    {
        if (state.Current.Webhooks.IsEmpty)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status409Conflict,
                $"the site has no webhooks to test (add alerts: {{ webhooks: [{{ url: ..., secret_file: ... }}] }} to {state.Path}; docs/alerts.md)").ConfigureAwait(false);
            return;
        }
        var test = await alerts.TestAsync(caller.EventClient, context.RequestAborted).ConfigureAwait(false);
        var reply = new AlertTestReply(test.Alert.Id, [.. test.Webhooks.Select(o => new WebhookTestReply(o.Hook.Index, o.Hook.Url.GetLeftPart(UriPartial.Authority),
            o.Outcome.Delivered, o.Outcome.Status, o.Outcome.Message))]);
        // 502: the box did what was asked, and a receiver behind it did not take the alert.
        await ControlService.WriteAsync(context, reply.Webhooks.All(w => w.Delivered) ? StatusCodes.Status200OK : StatusCodes.Status502BadGateway,
            reply, AlertReplyJson.Default.AlertTestReply).ConfigureAwait(false);
    }
}
