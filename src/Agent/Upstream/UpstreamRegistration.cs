using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Upstream;

public static class UpstreamRegistration
{
    /// <summary>The upstream mirror cache, under <c>server.state_dir</c> of the site the agent starts with.</summary>
    public static IServiceCollection AddUpstreamCache(this IServiceCollection services) =>
        services.AddSingleton(sp => new UpstreamCache(sp.GetRequiredService<SiteState>().Current.Server.StateDirectory, sp.GetRequiredService<IAtomicFiles>(),
            UpstreamHttp.CreateClient(), sp.GetRequiredService<ILogger<UpstreamCache>>()));
}
