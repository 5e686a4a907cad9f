using Microsoft.Extensions.DependencyInjection;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Overlays;

public static class OverlaysRegistration
{
    /// <summary>The overlay store and upload tokens, under <c>server.state_dir</c> of the site the agent starts with.</summary>
    public static IServiceCollection AddOverlays(this IServiceCollection services)
    {
        services.AddSingleton(sp => new OverlayStore(sp.GetRequiredService<SiteState>().Current.Server.StateDirectory, sp.GetRequiredService<IAtomicFiles>()));
        services.AddSingleton(sp => new OverlayTokens(sp.GetRequiredService<SiteState>().Current.Server.StateDirectory, sp.GetRequiredService<IAtomicFiles>()));
        return services;
    }
}
