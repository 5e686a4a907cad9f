using Microsoft.Extensions.DependencyInjection;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Web;

public static class WebRegistration
{
    /// <summary>
    /// The web console's pages and assets as routes of the control API (served over HTTPS only, <c>run
    /// --network-api</c>). Register the control endpoints first.
    /// </summary>
    public static IServiceCollection AddWebConsole(this IServiceCollection services, string version)
    {
        services.AddSingleton<WebAssets>();
        // The pages ask the router for the API's answers, and the router is made from every area's routes, the
        // pages' among them: the pages get it once it exists.
        services.AddSingleton<IControlEndpoints>(sp => new WebPages(sp.GetRequiredService<ControlRouter>, sp.GetRequiredService<WebAssets>(), sp.GetRequiredService<SiteState>(),
            sp.GetRequiredService<TimeProvider>(), version));
        return services;
    }
}
