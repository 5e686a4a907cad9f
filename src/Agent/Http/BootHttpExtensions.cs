using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Overlays;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Upstream;

namespace NetbootPi.Agent.Http;

/// <summary>The one call the composition root makes to host the boot HTTP service.</summary>
public static class BootHttpExtensions
{
    /// <summary>
    /// Registers the HTTP boot service (scripts, files, overlays, keys) with its boot event log and overlay
    /// store under <c>server.state_dir</c> of <paramref name="site"/> (the site the agent starts with).
    /// </summary>
    public static IServiceCollection AddBootHttp(this IServiceCollection services, SiteInventory site, HttpListenAddress? listen)
    {
        // A line per request from ASP.NET Core would flood the journal and slow every boot fetch; the
        // handler logs what matters (refusals, uploads) itself and boot events record every fetch.
        services.Configure<LoggerFilterOptions>(o =>
        {
            o.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            // Hosting creates an Activity for every request whenever its diagnostics category logs at any level
            // (HostingApplicationDiagnostics): off, as it logs nothing but request start and end.
            o.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        });
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new BootEventLog(site.Server.StateDirectory, sp.GetRequiredService<ILogger<BootEventLog>>()));
        services.AddSingleton(new OverlayStore(site.Server.StateDirectory));
        services.AddSingleton(new OverlayTokens(site.Server.StateDirectory));
        services.AddSingleton(sp => new UpstreamCache(site.Server.StateDirectory, UpstreamHttp.CreateClient(),
            sp.GetRequiredService<ILogger<UpstreamCache>>()));
        services.AddSingleton<Hosting.ClientDirectory>();
        services.AddSingleton<BootHttpHandler>();
        services.AddSingleton(sp => new BootHttpService(
            sp.GetRequiredService<Hosting.SiteState>(), sp.GetRequiredService<BootHttpHandler>(),
            sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>(), listen,
            sp.GetRequiredService<ILogger<BootHttpService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<BootHttpService>());
        return services;
    }
}
