using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Hosting;

/// <summary>
/// Tells systemd and the log when the agent is up and when it is going down. READY=1 goes out once every hosted
/// service has started, and each starts listening before its StartAsync returns: ready means serving.
/// </summary>
public sealed partial class AgentLifecycle(SiteState state, ServiceStatus status, ILogger<AgentLifecycle> logger)
    : IHostedLifecycleService
{
    public const string SitePart = "site";

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        // The site's part comes first in the status line, whatever the services add while they start.
        ShowSite(state.Current);
        state.Changed += ShowSite;
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var site = state.Current;
        LogReady(AgentVersion.Current, site.Site.Name, state.Path, site.Networks.Length, site.Hosts.Length);
        status.Ready();
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        state.Changed -= ShowSite;
        status.Stopping();
        LogStopping();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void ShowSite(SiteInventory site) => status.Set(SitePart, $"serving site {site.Site.Name}: {site.Hosts.Length} hosts");

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "netbootpi {Version} ready: site {Site} from {Path}, {Networks} networks, {Hosts} hosts")]
    private partial void LogReady(string version, string site, string path, int networks, int hosts);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "stopping")]
    private partial void LogStopping();
}
