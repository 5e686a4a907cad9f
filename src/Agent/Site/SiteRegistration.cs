using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

public static class SiteRegistration
{
    /// <summary>The one site snapshot every service reads, and its reload on SIGHUP.</summary>
    public static IServiceCollection AddSite(this IServiceCollection services, string path, SiteInventory site)
    {
        services.AddSingleton(sp =>
        {
            var state = new SiteState(path, site, sp.GetRequiredService<ILogger<SiteState>>(), sp.GetService<TimeProvider>());
            // The lease store, overlays, tokens, boot events and cache are opened there once, at start.
            state.RequireUnchangedOnReload("server.state_dir", s => s.Server.StateDirectory,
                "the agent keeps its leases, overlays, upload tokens and boot events there and opened them at start");
            return state;
        });
        services.AddSingleton<SiteReloader>();
        services.AddHostedService(sp => sp.GetRequiredService<SiteReloader>());
        // The reloader's progress, for the health checks the watchdog pets under.
        services.AddSingleton<LoopProgress>(sp => sp.GetRequiredService<SiteReloader>().Progress);
        return services;
    }
}
