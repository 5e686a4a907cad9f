using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Upstream;

namespace NetbootPi.Agent.Cli.Local;

/// <summary><c>netbootpi fetch</c>: fills the upstream cache ahead of time, so the first boot needs no uplink.</summary>
internal static class FetchCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("fetch", "download every mirror artifact the profiles name into the cache");
        command.SetAction(async (parse, _) =>
            SiteOption.Load(parse, stderr) is { } site ? await RunAsync(site, stdout, stderr).ConfigureAwait(false) : CommandLine.ExitInvalid);
        return command;
    }

    private static async Task<int> RunAsync(SiteInventory site, TextWriter stdout, TextWriter stderr)
    {
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
