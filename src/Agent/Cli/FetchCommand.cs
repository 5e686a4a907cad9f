using Microsoft.Extensions.Logging.Abstractions;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Upstream;

namespace NetbootPi.Agent.Cli;

/// <summary><c>netbootpi fetch</c>: fills the upstream cache ahead of time, so the first boot needs no uplink.</summary>
internal static class FetchCommand
{
    public static async Task<int> RunAsync(string configPath, TextWriter stdout, TextWriter stderr)
    {
        var result = SiteFile.Load(configPath);
        if (result.Inventory is not { } site)
        {
            foreach (var e in result.Errors) stderr.WriteLine(e);
            return CommandLine.ExitInvalid;
        }
        using var http = UpstreamHttp.CreateClient();
        using var cache = new UpstreamCache(site.Server.StateDirectory, AtomicFiles.Local, http, NullLogger<UpstreamCache>.Instance);
        var failed = 0;
        foreach (var profile in site.Profiles)
            foreach (var (name, url) in UpstreamArtifacts.Of(profile))
            {
                var r = await cache.GetUrlAsync(url, name).ConfigureAwait(false);
                if (r.Path is not null) stdout.WriteLine($"{profile.Name}/{name}: {r.Detail} ({url})");
                else
                {
                    failed++;
                    stderr.WriteLine($"netbootpi: {profile.Name}/{name}: {r.Detail}");
                }
            }
        return failed == 0 ? CommandLine.ExitOk : CommandLine.ExitInvalid;
    }
}
