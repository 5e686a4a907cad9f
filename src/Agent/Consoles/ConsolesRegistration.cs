using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Consoles;

public static class ConsolesRegistration
{
    /// <summary>The hosts' serial consoles, read into their logs. Needs the site and the boot events.</summary>
    public static IServiceCollection AddConsoles(this IServiceCollection services)
    {
        services.AddSingleton(sp => new ConsoleService(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<BootEventLog>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService(sp => sp.GetRequiredService<ConsoleService>());
        return services;
    }
}
