using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Alerts;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Backup;

public static class BackupRegistration
{
    /// <summary>The backup schedule (<c>backup.every</c>); it does nothing while the site has none. Needs the site, the boot events and the status.</summary>
    public static IServiceCollection AddBackupSchedule(this IServiceCollection services, string version)
    {
        services.AddSingleton(sp => new BackupService(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<BootEventLog>(), sp.GetService<AlertService>(),
            sp.GetRequiredService<ServiceStatus>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<BackupService>>(), version));
        services.AddHostedService(sp => sp.GetRequiredService<BackupService>());
        return services;
    }
}
