using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Dhcp;
using NetbootPi.Agent.Health;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Http;

public static class BootHttpRegistration
{
    /// <summary>
    /// The HTTP boot service (scripts, files, overlays, keys) on <paramref name="address"/> at the site's
    /// <c>server.http_port</c>, or on <paramref name="listen"/> when given. Needs the boot events, overlays and
    /// upstream cache registered.
    /// </summary>
    public static IServiceCollection AddBootHttp(this IServiceCollection services, IPAddress address, HttpListenAddress? listen)
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
        // Without DHCP in this agent, clients are known by the site's static addresses alone.
        services.AddSingleton(sp => new ClientDirectory(sp.GetService<IDhcpBindings>()));
        services.AddSingleton<BootHttpHandler>();
        services.AddSingleton(sp => new BootHttpService(
            sp.GetRequiredService<SiteState>(), sp.GetRequiredService<BootHttpHandler>(),
            sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>(), address, listen,
            sp.GetRequiredService<ILogger<BootHttpService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<BootHttpService>());
        services.AddSingleton<IHealthCheck>(sp => new HttpAnswerCheck(sp.GetRequiredService<BootHttpService>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
