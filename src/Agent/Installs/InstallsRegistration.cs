using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Installs;

public static class InstallsRegistration
{
    /// <summary>The record of hosts' unattended installs (<see cref="InstallStore"/>). Needs the boot events.</summary>
    public static IServiceCollection AddInstalls(this IServiceCollection services) =>
        services.AddSingleton(sp => new InstallStore(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<BootEventLog>(),
            sp.GetRequiredService<IAtomicFiles>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<InstallStore>>()));
}
