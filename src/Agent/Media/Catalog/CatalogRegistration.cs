using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Upstream;

namespace NetbootPi.Agent.Media.Catalog;

public static class CatalogRegistration
{
    /// <summary>
    /// The image catalog under <c>server.data_dir/images</c>, its jobs, and the agent's downloads (a hosted service).
    /// Needs the site, the boot events and the service status registered; uses the upstream cache when there is one.
    /// </summary>
    public static IServiceCollection AddImageCatalog(this IServiceCollection services)
    {
        services.AddSingleton(sp => new ImageCatalog(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<IAtomicFiles>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ImageJobs(sp.GetRequiredService<ServiceStatus>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var state = sp.GetRequiredService<SiteState>();
            return new FetchGuard(() => state.Current.Media);
        });
        services.AddSingleton(sp => new ImageFetcher(sp.GetRequiredService<ImageCatalog>(), sp.GetRequiredService<ImageJobs>(),
            CreateClient(sp.GetRequiredService<FetchGuard>()), sp.GetRequiredService<IAtomicFiles>(),
            sp.GetService<UpstreamCache>() is { } cache ? cache.Cached : null));
        services.AddSingleton(sp => new ImageDownloads(sp.GetRequiredService<ImageCatalog>(), sp.GetRequiredService<ImageJobs>(),
            sp.GetRequiredService<ImageFetcher>(), sp.GetRequiredService<BootEventLog>(), sp.GetRequiredService<ILogger<ImageDownloads>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ImageDownloads>());
        return services;
    }

    /// <summary>
    /// The downloads' HTTP client: every connection through <paramref name="guard"/>, redirects followed by the fetcher
    /// (each hop checked), no proxy from the environment (it would connect in the guard's place), no decompression
    /// (the bytes hashed are the bytes sent), certificates checked as the runtime checks them.
    /// </summary>
    public static HttpClient CreateClient(FetchGuard guard) => new(new SocketsHttpHandler
    {
        ConnectCallback = guard.ConnectAsync,
        AllowAutoRedirect = false,
        UseProxy = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
