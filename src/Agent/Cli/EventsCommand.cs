using NetbootPi.Agent.Events;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Cli;

/// <summary><c>netbootpi events [HOST]</c>: the durable boot event log, oldest first.</summary>
internal static class EventsCommand
{
    public static int Run(string? host, string configPath, TextWriter stdout, TextWriter stderr)
    {
        var result = SiteFile.Load(configPath);
        if (result.Inventory is not { } site)
        {
            foreach (var e in result.Errors) stderr.WriteLine(e);
            return CommandLine.ExitInvalid;
        }
        // Events name known hosts by name and others by MAC; accept either spelling of either.
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (host is not null)
        {
            names.Add(host);
            if (site.FindHost(host) is { } byName) names.Add(byName.Mac.ToString());
            if (Protocols.Net.MacAddress.TryParse(host, out var mac))
            {
                names.Add(mac.ToString());
                if (site.FindHost(mac) is { } byMac) names.Add(byMac.Name);
            }
        }
        foreach (var e in BootEventLog.ReadFiles(site.Server.StateDirectory))
            if (host is null || (e.Host is not null && names.Contains(e.Host))) stdout.WriteLine(e);
        return CommandLine.ExitOk;
    }
}
