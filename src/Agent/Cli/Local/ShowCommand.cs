using System.CommandLine;

namespace NetbootPi.Agent.Cli.Local;

/// <summary><c>netbootpi show host NAME|MAC</c>: every value the site derives for one machine.</summary>
internal static class ShowCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var who = new Argument<string>("NAME|MAC") { Description = "a host of the site, or any MAC (what an unknown machine would get)" };
        var host = new Command("host", "everything the site derives for one machine") { who };
        host.SetAction(parse =>
        {
            if (SiteOption.Load(parse, stderr) is not { } site) return CommandLine.ExitInvalid;
            if (HostArgument.Resolve(site, parse.GetValue(who)!, SiteOption.PathOf(parse), stderr) is not { } mac)
                return CommandLine.ExitInvalid;
            foreach (var line in HostReport.Lines(site, mac)) stdout.WriteLine(line);
            return CommandLine.ExitOk;
        });
        return new Command("show", "show what the site derives") { host };
    }
}
