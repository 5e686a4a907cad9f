using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace NetbootPi.Agent.Site;

public static class SiteRegistration
{
    /// <summary>The one site snapshot every service reads, and its reload on SIGHUP.</summary>
    public static IServiceCollection AddSite(this IServiceCollection services, string path, SiteInventory site)
    {
        services.AddSingleton(sp => new SiteState(path, site, sp.GetRequiredService<ILogger<SiteState>>()));
        services.AddSingleton<SiteReloader>();
        services.AddHostedService(sp => sp.GetRequiredService<SiteReloader>());
        return services;
    }
}
