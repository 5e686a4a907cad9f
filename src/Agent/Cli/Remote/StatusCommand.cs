using System.CommandLine;
using System.Globalization;
using NetbootPi.Agent.Control;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary><c>netbootpi status</c>: the running agent's version, site and status line, asked over the control socket.</summary>
internal static class StatusCommand
{
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("status", "ask the running agent how it is") { SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, s) = await client.SendAsync(HttpMethod.Get, StatusEndpoints.StatusPath, ControlJson.Default.StatusReply, cancellation)
                .ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json))
            {
                stdout.WriteLine(body);
                return CommandLine.ExitOk;
            }
            stdout.WriteLine($"netbootpi {s.Version}, up {Uptime(s.UptimeSeconds)} (since {s.Started.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)})");
            stdout.WriteLine($"site:   {s.Site} from {s.SitePath}: {s.Networks} networks, {s.Hosts} hosts, {s.Profiles} profiles");
            stdout.WriteLine($"status: {s.Status}");
            stdout.WriteLine(s.Api is { } api ? $"api:    {api.Url} certificate SHA-256 {api.CertificateSha256}" : "api:    not over the network (run --network-api, and a management network)");
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static string Uptime(long seconds)
    {
        var t = TimeSpan.FromSeconds(seconds);
        return t.TotalDays >= 1 ? $"{(int)t.TotalDays}d {t.Hours}h" : t.TotalHours >= 1 ? $"{t.Hours}h {t.Minutes}m" : $"{t.Minutes}m {t.Seconds}s";
    }
}
