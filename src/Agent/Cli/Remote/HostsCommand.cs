using System.CommandLine;
using System.Globalization;
using NetbootPi.Agent.Control;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// <c>netbootpi hosts [NAME]</c>: the running box's hosts as the agent knows them now: address, profile, lease,
/// recovery's phase and the last boot event, one line each (<c>--json</c>: everything that follows from each MAC).
/// </summary>
internal static class HostsCommand
{
    public static Command Create(TextWriter stdout)
    {
        var name = new Argument<string?>("NAME") { Description = "only this host", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("hosts", "the running box's hosts: address, profile, lease, recovery and last boot event (through the agent)") { name, SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var path = HostEndpoints.HostsPath + (parse.GetValue(name) is { } n ? $"?name={Uri.EscapeDataString(n)}" : "");
            var (_, body, hosts) = await client.SendAsync(HttpMethod.Get, path, ControlJson.Default.HostReplyArray, cancellation).ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json))
            {
                stdout.WriteLine(body);
                return CommandLine.ExitOk;
            }
            stdout.WriteLine($"{"host",-16}  {"mac",-17}  {"ip",-15}  {"profile",-12}  {"lease",-8}  {"recovery",-10}  last boot event");
            foreach (var h in hosts)
            {
                var last = h.LastBoot is { } e
                    ? $"{e.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} {e.What} {e.Status} {e.Path}"
                    : "-";
                stdout.WriteLine($"{h.Name,-16}  {h.Mac,-17}  {h.Ip ?? "-",-15}  {h.Profile,-12}  {h.Lease?.State ?? "-",-8}  {Short(h.Recovery),-10}  {last}");
            }
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static string Short(string? recovery) => recovery is null ? "-" : recovery.StartsWith("not recovered", StringComparison.Ordinal) ? "gap" : recovery;
}
