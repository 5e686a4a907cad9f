using System.CommandLine;
using NetbootPi.Agent.Control;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// <c>netbootpi reload</c>: the running agent reads its site file again (as <c>systemctl reload</c> does) and says
/// how it went: the errors, located, when the file is refused and the running site stays.
/// </summary>
internal static class ReloadCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("reload", "make the running agent read its site file again (needs root)") { SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Post, SiteEndpoints.ReloadPath, ControlJson.Default.ReloadReply, cancellation,
                alsoParse: Microsoft.AspNetCore.Http.StatusCodes.Status422UnprocessableEntity).ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json)) stdout.WriteLine(body);
            else if (r.Reloaded) stdout.WriteLine($"reloaded site {r.Site} from {r.SitePath}: {r.Networks} networks, {r.Hosts} hosts");
            if (r.Reloaded) return CommandLine.ExitOk;
            if (!parse.GetValue(SocketOption.Json))
            {
                foreach (var e in r.Errors) stderr.WriteLine(e.Text);
                stderr.WriteLine($"netbootpi: {r.SitePath} refused ({r.Errors.Length} error{(r.Errors.Length == 1 ? "" : "s")}); the agent still runs site {r.Site}");
            }
            return CommandLine.ExitInvalid;
        });
        return command;
    }
}
