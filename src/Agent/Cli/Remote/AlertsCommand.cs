using System.CommandLine;
using NetbootPi.Agent.Alerts;
using NetbootPi.Agent.Control;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// <c>netbootpi alerts test</c>: the running agent sends a signed test alert to each webhook of its site, once, and
/// this prints how each one answered (docs/alerts.md). Exit codes: 0 every webhook answered 2xx, 1 one did not, the
/// site has none, or the agent is unreachable or refuses.
/// </summary>
internal static class AlertsCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var alerts = new Command("alerts", "the running agent's alerts and their webhooks (docs/alerts.md)");
        var test = new Command("test", "send a test alert to each webhook of the site and print each one's answer (needs root)") { SocketOption.Json };
        test.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (status, body, r) = await client.SendAsync(HttpMethod.Post, AlertEndpoints.TestPath, AlertReplyJson.Default.AlertTestReply, cancellation,
                alsoParse: Microsoft.AspNetCore.Http.StatusCodes.Status502BadGateway).ConfigureAwait(false);
            var delivered = r.Webhooks.All(w => w.Delivered);
            if (parse.GetValue(SocketOption.Json)) stdout.WriteLine(body);
            else
            {
                foreach (var w in r.Webhooks)
                    (w.Delivered ? stdout : stderr).WriteLine($"webhooks[{w.Index}] {w.Url}: {(w.Delivered ? "delivered" : "NOT delivered")} ({w.Message})");
                stdout.WriteLine($"test alert {r.Id}: {r.Webhooks.Count(w => w.Delivered)} of {r.Webhooks.Length} webhooks took it");
            }
            return delivered && status == Microsoft.AspNetCore.Http.StatusCodes.Status200OK ? CommandLine.ExitOk : CommandLine.ExitInvalid;
        });
        alerts.Subcommands.Add(test);
        return alerts;
    }
}
