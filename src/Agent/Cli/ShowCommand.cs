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

    private static string Suggestion(string name, SiteInventory site)
    {
        var names = site.Hosts.Select(h => h.Name).ToArray();
        var best = names.OrderBy(n => Distance(n, name)).FirstOrDefault();
        return best is not null && Distance(best, name) <= 2 ? $" (did you mean '{best}'?)" : "";
    }

    private static int Distance(string a, string b)
    {
        var prev = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var cur = new int[b.Length + 1];
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1));
            prev = cur;
        }
        return prev[b.Length];
    }
}
