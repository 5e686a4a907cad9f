using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Cli;

/// <summary><c>netbootpi show host NAME|MAC</c>: every value the site derives for one machine.</summary>
internal static class ShowCommand
{
    public static int Run(string nameOrMac, string configPath, TextWriter stdout, TextWriter stderr)
    {
        var result = SiteFile.Load(configPath);
        if (result.Inventory is not { } site)
        {
            foreach (var e in result.Errors) stderr.WriteLine(e);
            return CommandLine.ExitInvalid;
        }
        MacAddress mac;
        if (site.FindHost(nameOrMac) is { } byName) mac = byName.Mac;
        else if (!MacAddress.TryParse(nameOrMac, out mac))
        {
            var hint = Suggestion(nameOrMac, site);
            stderr.WriteLine($"netbootpi: no host named '{nameOrMac}' in {configPath}, and it is not a MAC address{hint}");
            return CommandLine.ExitInvalid;
        }
        foreach (var line in HostReport.Lines(site, mac)) stdout.WriteLine(line);
        return CommandLine.ExitOk;
    }

    private static string Suggestion(string name, SiteInventory site) =>
        SiteReader.Suggest(name, site.Hosts.Select(h => h.Name).ToArray()) is { } best ? $" (did you mean '{best}'?)" : "";
}
