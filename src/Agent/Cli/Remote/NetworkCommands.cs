using System.CommandLine;
using System.Globalization;
using NetbootPi.Agent.Control;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// <c>netbootpi apply</c>, <c>confirm</c> and <c>show network</c>: the running agent's network, over the control
/// socket. <c>apply</c> takes the agent's own site file (<c>--config</c>), applies its network with a confirm window
/// and prints the plan it carried out; <c>confirm</c> keeps a pending change.
/// </summary>
internal static class NetworkCommands
{
    public static Command Apply(TextWriter stdout, TextWriter stderr)
    {
        var within = new Option<TimeSpan>("--confirm-within")
        {
            Description = "put the last confirmed network back unless 'netbootpi confirm' comes within this time (20s, 2m)",
            HelpName = "DURATION",
            DefaultValueFactory = _ => TimeSpan.FromMinutes(2),
            CustomParser = r => Duration.Parse(r, r.Tokens[0].Value, "--confirm-within"),
        };
        var force = new Option<bool>("--force") { Description = "apply even what the lock-out guard refuses (the confirm window still runs)" };
        var command = new Command("apply", "apply the site file's network on the running agent, to be confirmed (needs root)") { within, force, SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var config = Uri.EscapeDataString(Path.GetFullPath(SiteOption.PathOf(parse)));
            var seconds = ((int)parse.GetValue(within).TotalSeconds).ToString(CultureInfo.InvariantCulture);
            var (_, body, r) = await client.SendAsync(HttpMethod.Post,
                $"{NetworkEndpoints.ApplyPath}?config={config}&confirm_within={seconds}{(parse.GetValue(force) ? "&force=1" : "")}",
                ControlJson.Default.NetworkApplyReply, cancellation, alsoParse: Microsoft.AspNetCore.Http.StatusCodes.Status422UnprocessableEntity).ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json)) stdout.WriteLine(body);
            else
            {
                stdout.Write(r.Plan);
                (r.Result is "refused" or "failed" or "not_retried" ? stderr : stdout).WriteLine($"netbootpi: {r.Result}: {r.Message}");
            }
            return r.Result is "refused" or "failed" or "not_retried" ? CommandLine.ExitInvalid : CommandLine.ExitOk;
        });
        return command;
    }

    public static Command Confirm(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("confirm", "keep the network change the running agent applied last (needs root)") { SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Post, NetworkEndpoints.ConfirmPath, ControlJson.Default.NetworkConfirmReply, cancellation,
                alsoParse: Microsoft.AspNetCore.Http.StatusCodes.Status409Conflict).ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json)) stdout.WriteLine(body);
            else (r.Confirmed ? stdout : stderr).WriteLine(r.Confirmed ? r.Message : $"netbootpi: {r.Message}");
            return r.Confirmed ? CommandLine.ExitOk : CommandLine.ExitInvalid;
        });
        return command;
    }

    /// <summary><c>show network</c>, added under <c>show</c>.</summary>
    public static Command Show(TextWriter stdout)
    {
        var command = new Command("network", "the running agent's networks: wanted and actual addresses, link states") { SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Get, NetworkEndpoints.ShowPath, ControlJson.Default.NetworkReply, cancellation).ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json))
            {
                stdout.WriteLine(body);
                return CommandLine.ExitOk;
            }
            stdout.WriteLine($"backend {r.Backend}{(r.Managed ? "" : " (not managed by this agent: run --manage-network)")}");
            if (r.Pending is not null) stdout.WriteLine($"pending: {r.Pending}; confirm by {r.Deadline:u} (netbootpi confirm)");
            foreach (var l in r.Links)
                stdout.WriteLine($"  {l.Network,-10} {l.Role,-10} {l.Interface,-12} want {l.Wanted,-18} has {(l.Addresses.Length == 0 ? "-" : string.Join(",", l.Addresses)),-18} {l.State}");
            return CommandLine.ExitOk;
        });
        return command;
    }
}
