using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Consoles;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Power.Recovery;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Power;

public static class PowerRegistration
{
    /// <summary>Power actions through the agent, one-time network boots, and the recovery of the hosts whose <c>recovery:</c> asks for it. Needs the site and the boot events.</summary>
    public static IServiceCollection AddHostPower(this IServiceCollection services)
    {
        services.AddSingleton(sp => new HostPowerService(
            sp.GetRequiredService<SiteState>(), sp.GetRequiredService<BootEventLog>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new BootOverrides(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<BootEventLog>(),
            sp.GetRequiredService<IAtomicFiles>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<BootOverrides>>()));
        services.AddSingleton(sp => new RecoveryService(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<BootEventLog>(),
            sp.GetRequiredService<HostPowerService>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RecoveryService>>(),
            sp.GetService<ConsoleService>(), sp.GetService<IRecoveryWitness>()));
        services.AddHostedService(sp => sp.GetRequiredService<RecoveryService>());
        return services;
    }
}
