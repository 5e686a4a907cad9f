using System.CommandLine;
using NetbootPi.Agent.Cli.Remote;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Reports;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Dhcp.Leases;

namespace NetbootPi.Agent.Cli.Local;

/// <summary>
/// <c>netbootpi show host NAME|MAC</c>: every value the site derives for one machine: the running agent's site and
/// leases when one listens (the socket, or <c>--url</c>); the site file and lease files here when none does, or the
/// line names a site file (<c>--config</c>), or says <c>--files</c>.
/// </summary>
internal static class ShowCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var who = new Argument<string>("NAME|MAC") { Description = "a host of the site, or any MAC (what an unknown machine would get)" };
        var files = new Option<bool>("--files") { Description = "read the site file and lease files here even when an agent runs (as --config FILE does)" };
        var install = new Option<bool>("--install") { Description = "every file the host's unattended install will fetch, as the running agent renders it (docs/installs.md)" };
        var host = new Command("host", "everything the site derives for one machine") { who, files, install, SocketOption.Json };
        host.SetAction(async (parse, cancellation) =>
        {
            // A site file named on the line is the one read (a draft is checked before it is applied); a remote box is always asked.
            var named = parse.GetResult(SiteOption.Config) is { Implicit: false };
            if (parse.GetValue(install))
            {
                // The URLs carry the install's token, made from the agent's secret: only the agent can say them.
                using var installClient = SocketOption.Client(parse);
                return await InstallCommands.ShowAsync(installClient, parse.GetValue(who)!, parse.GetValue(SocketOption.Json), stdout, cancellation).ConfigureAwait(false);
            }
            if (SocketOption.IsRemote(parse) || (!parse.GetValue(files) && !named && SocketOption.AgentReachable(parse)))
            {
                using var client = SocketOption.Client(parse);
                var (_, body, reply) = await client.SendAsync(HttpMethod.Get, $"{HostEndpoints.DerivedPath}?host={Uri.EscapeDataString(parse.GetValue(who)!)}",
                    ControlJson.Default.HostDerivedReply, cancellation).ConfigureAwait(false);
                if (parse.GetValue(SocketOption.Json)) stdout.WriteLine(body);
                else foreach (var line in HostReport.Lines(reply.Rows)) stdout.WriteLine(line);
                return CommandLine.ExitOk;
            }
            if (parse.GetValue(SocketOption.Json))
            {
                stderr.WriteLine("netbootpi: --json needs a running agent (the files are read as text only)");
                return CommandLine.ExitUsage;
            }
            if (SiteOption.Load(parse, stderr) is not { } site) return CommandLine.ExitInvalid;
            if (HostArgument.Resolve(site, parse.GetValue(who)!, SiteOption.PathOf(parse), stderr) is not { } mac)
                return CommandLine.ExitInvalid;
            foreach (var line in HostReport.Lines(HostReport.Rows(site, mac, LeaseFiles(site), DateTimeOffset.UtcNow))) stdout.WriteLine(line);
            return CommandLine.ExitOk;
        });
        return new Command("show", "show what the site derives") { host };
    }

    /// <summary>The leases in the site's state directory, for the names pooled machines have in DNS; none when they cannot be read.</summary>
    private static IReadOnlyList<DhcpLease> LeaseFiles(SiteInventory site)
    {
        try
        {
            return LeaseStore.Read(site.Server.StateDirectory).Leases;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return [];
        }
    }
}
