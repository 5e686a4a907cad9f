using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Dhcp;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Alerts;

public static class AlertsRegistration
{
    /// <summary>
    /// Alerts and their webhooks: a host marked failed (from the boot events), a refused reload (from the site's
    /// reloader), another DHCP server (from the DHCP server, when it runs). Needs the site and the boot events.
    /// </summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services, string version)
    {
        services.AddSingleton(sp =>
        {
            var alerts = new AlertService(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<BootEventLog>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AlertService>>(), version);
            sp.GetRequiredService<SiteReloader>().Rejected += alerts.SiteRejected;
            if (sp.GetService<DhcpService>() is { } dhcp) dhcp.OtherServerSelected += alerts.OtherDhcpServer;
            return alerts;
        });
        services.AddHostedService(sp => sp.GetRequiredService<AlertService>());
        return services;
    }
}
