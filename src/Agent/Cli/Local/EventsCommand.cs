using System.CommandLine;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Cli.Local;

/// <summary><c>netbootpi events [HOST]</c>: the durable boot event log, oldest first.</summary>
internal static class EventsCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var who = new Argument<string?>("HOST") { Description = "only this host's events (a name or a MAC)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("events", "boot events (DHCP, script, kernel, initrd, modloop, overlay fetches)") { who };
        command.SetAction(parse =>
        {
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
                if (names is null || (e.Host is not null && names.Contains(e.Host))) stdout.WriteLine(e);
            return CommandLine.ExitOk;
        });
        return command;
    }
}
