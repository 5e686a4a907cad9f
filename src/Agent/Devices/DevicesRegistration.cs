using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Health;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Devices;

public static class DevicesRegistration
{
    /// <summary>
    /// The health checks (the state directory, the servers' receive loops that register a LoopProgress) and the watchdog service petting under them. Registered after the servers; needs the
    /// site registered (the state directory is the site's, fixed while the agent runs).
    /// </summary>
    public static IServiceCollection AddWatchdog(this IServiceCollection services, WatchdogOptions options)
    {
        services.AddSingleton<IHealthCheck>(sp =>
        {
            var state = sp.GetRequiredService<SiteState>();
            return new StateDirectoryCheck(() => state.Current.Server.StateDirectory);
        });
        services.AddSingleton<IHealthCheck>(sp => new LoopCheck(sp.GetServices<LoopProgress>, LoopCheck.DefaultLimit));
        services.AddSingleton(sp => new HealthMonitor(sp.GetServices<IHealthCheck>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new WatchdogService(
            sp.GetRequiredService<HealthMonitor>(), sp.GetRequiredService<SystemdNotifier>(), sp.GetRequiredService<ServiceStatus>(),
            sp.GetRequiredService<TimeProvider>(), options, sp.GetRequiredService<ILogger<WatchdogService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<WatchdogService>());
        return services;
    }
}
