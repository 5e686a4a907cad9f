using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Hosting;

/// <summary>Tells systemd and the log when the agent is up and when it is going down.</summary>
public sealed partial class AgentLifecycle(SiteState state, SystemdNotifier notifier, ILogger<AgentLifecycle> logger)
    : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var site = state.Current;
        LogReady(AgentVersion.Current, site.Site.Name, state.Path, site.Networks.Length, site.Hosts.Length);
        notifier.Ready($"serving site {site.Site.Name}: {site.Hosts.Length} hosts");
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        notifier.Stopping();
        LogStopping();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "netbootpi {Version} ready: site {Site} from {Path}, {Networks} networks, {Hosts} hosts")]
    private partial void LogReady(string version, string site, string path, int networks, int hosts);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "stopping")]
    private partial void LogStopping();
}
