using System.CommandLine;
using System.Globalization;
using NetbootPi.Agent.Control;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary><c>netbootpi recovery</c>: every host the running agent's recovery watches, its phase and the cycles done (docs/power.md).</summary>
internal static class RecoveryCommand
{
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("recovery", "show the hosts the running agent recovers: up, booting, failed, and why") { SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, reply) = await client.SendAsync(HttpMethod.Get, PowerEndpoints.RecoveryPath, PowerJson.Default.RecoveryReply, cancellation)
                .ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json))
            {
                stdout.WriteLine(body);
                return CommandLine.ExitOk;
            }
            if (reply.Hosts.Length == 0)
            {
                stdout.WriteLine("no host asks for recovery (recovery: on a profile or a host; docs/power.md)");
                return CommandLine.ExitOk;
            }
            var rows = reply.Hosts.Select(h => h.Gap is { } gap
                ? (h.Host, "-", "-", "-", $"not recovered: {gap}")
                : (h.Host, h.Phase ?? "-", h.Since is { } since ? since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-",
                    $"{h.Cycles}/{h.Attempts}", h.LastReason ?? "")).ToList();
            var width = Math.Max(4, rows.Max(r => r.Item1.Length));
            stdout.WriteLine($"{"HOST".PadRight(width)}  {"PHASE",-8}  {"SINCE",-20}  CYCLES  REASON");
            foreach (var (host, phase, since, cycles, reason) in rows)
                stdout.WriteLine($"{host.PadRight(width)}  {phase,-8}  {since,-20}  {cycles,-6}  {reason}".TrimEnd());
            return CommandLine.ExitOk;
        });
        return command;
    }
}
