using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Events;

public static class EventsRegistration
{
    /// <summary>The boot event log, under <c>server.state_dir</c> of the site the agent starts with.</summary>
    public static IServiceCollection AddBootEvents(this IServiceCollection services) =>
        services.AddSingleton(sp => new BootEventLog(sp.GetRequiredService<SiteState>().Current.Server.StateDirectory,
                sp.GetRequiredService<ILogger<BootEventLog>>()))
            // Its writer's progress, for the health checks the watchdog pets under.
            .AddSingleton<LoopProgress>(sp => sp.GetRequiredService<BootEventLog>().Progress);
}
