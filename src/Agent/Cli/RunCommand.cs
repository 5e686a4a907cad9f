using Microsoft.Extensions.Hosting;
using NetbootPi.Agent.Hosting;
using NetbootPi.Agent.Http;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Cli;

/// <summary><c>netbootpi run</c>: refuses to start on an invalid site file, otherwise runs until SIGTERM.</summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(string configPath, HttpListenAddress? httpListen, TextWriter stderr, CancellationToken cancellation)
    {
        var result = SiteFile.Load(configPath);
        if (result.Inventory is not { } site)
        {
            foreach (var e in result.Errors) stderr.WriteLine(e);
            stderr.WriteLine($"netbootpi: not starting: {configPath} has {result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}");
            return CommandLine.ExitInvalid;
        }
        using var host = AgentHost.Build(configPath, site, httpListen);
        await host.RunAsync(cancellation).ConfigureAwait(false);
        return CommandLine.ExitOk;
    }
}
