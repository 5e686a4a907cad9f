using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Cli;

/// <summary>A HOST argument: a host's name in the site, or a MAC in any common spelling.</summary>
internal static class HostArgument
{
    /// <summary>The MAC <paramref name="who"/> names; null after telling <paramref name="stderr"/> why not (with a suggestion).</summary>
    public static MacAddress? Resolve(SiteInventory site, string who, string sitePath, TextWriter stderr)
    {
        if (site.FindHost(who) is { } host) return host.Mac;
        if (MacAddress.TryParse(who, out var mac)) return mac;
        var hint = site.HostHint(who);
        stderr.WriteLine($"netbootpi: no host named '{who}' in {sitePath}, and it is not a MAC address{hint}");
        return null;
    }
}
