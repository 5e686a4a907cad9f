using System.CommandLine;
using System.Text;
using NetbootPi.Agent.Cli.Remote;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Cli.Local;

/// <summary>
/// <c>netbootpi events [HOST] [--kind KIND]</c>: the durable boot event log, oldest first. With <c>--follow</c> the
/// running agent's recent events and then each new one as it is recorded, through the agent (the socket, or
/// <c>--url</c>), until interrupted.
/// </summary>
internal static class EventsCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var who = new Argument<string?>("HOST") { Description = "only this host's events (a name or a MAC)", Arity = ArgumentArity.ZeroOrOne };
        var kind = new Option<string>("--kind")
        {
            Description = "only events of this kind: " + string.Join(", ", Enum.GetValues<BootEventKind>().Select(BootEvent.KindName)),
            HelpName = "KIND",
        };
        var follow = new Option<bool>("--follow", "-f") { Description = "the running agent's recent events, then each new one as it happens (through the agent; until interrupted)" };
        var command = new Command("events", "boot events (DHCP, fetches, overlays, power, recovery, consoles) and the control API's audit") { who, kind, follow };
        command.SetAction(async (parse, cancellation) =>
        {
            BootEventKind? only = null;
            if (parse.GetValue(kind) is { } k)
            {
                if (BootEvent.ParseKind(k) is not { } parsed)
                {
                    stderr.WriteLine($"netbootpi: --kind: '{k}' is not a kind of event; the kinds: {string.Join(", ", Enum.GetValues<BootEventKind>().Select(BootEvent.KindName))}");
                    return CommandLine.ExitUsage;
                }
                only = parsed;
            }
            if (parse.GetValue(follow)) return await FollowAsync(parse, parse.GetValue(who), k: parse.GetValue(kind), stdout, cancellation).ConfigureAwait(false);
            if (SiteOption.Load(parse, stderr) is not { } site) return CommandLine.ExitInvalid;
            HashSet<string>? names = null;
            if (parse.GetValue(who) is { } host)
            {
                if (HostArgument.Resolve(site, host, SiteOption.PathOf(parse), stderr) is not { } mac) return CommandLine.ExitInvalid;
                // Events name known hosts by name and others by MAC: either spelling of either.
                names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { mac.ToString() };
                if (site.FindHost(mac) is { } known) names.Add(known.Name);
            }
            foreach (var e in BootEventLog.ReadFiles(site.Server.StateDirectory))
                if ((names is null || (e.Host is not null && names.Contains(e.Host))) && (only is null || e.Kind == only)) stdout.WriteLine(e);
            return CommandLine.ExitOk;
        });
        return command;
    }

    /// <summary>
    /// The stream is opened first and the recent events read after, so nothing recorded in between is lost; an
    /// event in both is printed once.
    /// </summary>
    private static async Task<int> FollowAsync(ParseResult parse, string? host, string? k, TextWriter stdout, CancellationToken cancellation)
    {
        var query = new StringBuilder();
        if (host is not null) query.Append(query.Length == 0 ? '?' : '&').Append("host=").Append(Uri.EscapeDataString(host));
        if (k is not null) query.Append(query.Length == 0 ? '?' : '&').Append("kind=").Append(Uri.EscapeDataString(k));
        using var client = SocketOption.Client(parse);
        using var recentClient = SocketOption.Client(parse);
        var printed = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await client.StreamAsync(EventEndpoints.StreamPath + query, async () =>
            {
                var (_, _, recent) = await recentClient.SendAsync(HttpMethod.Get, EventEndpoints.RecentPath + query, ControlJson.Default.JsonElementArray, cancellation).ConfigureAwait(false);
                foreach (var e in recent)
                {
                    var line = e.GetRawText();
                    printed.Add(line);
                    if (BootEventLog.Parse(line) is { } parsed) stdout.WriteLine(parsed);
                }
                await stdout.FlushAsync(cancellation).ConfigureAwait(false);
            }, async data =>
            {
                if (printed.Remove(data)) return;
                if (BootEventLog.Parse(data) is { } parsed) stdout.WriteLine(parsed);
                await stdout.FlushAsync(cancellation).ConfigureAwait(false);
            }, cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Interrupted: the way a follow ends.
        }
        return CommandLine.ExitOk;
    }
}
