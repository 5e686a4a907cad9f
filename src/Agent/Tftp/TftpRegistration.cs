using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Os.Network;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Tftp;

public static class TftpRegistration
{
    /// <summary>The TFTP server on <paramref name="endpoint"/>, serving the site's TFTP root.</summary>
    public static IServiceCollection AddTftp(this IServiceCollection services, IPEndPoint endpoint)
    {
        // The request loop's progress, for the health checks the watchdog pets under.
        var progress = new LoopProgress($"TFTP on {endpoint}");
        services.AddSingleton(progress);
        services.AddSingleton(sp => new TftpService(sp.GetRequiredService<SiteState>(), endpoint,
            sp.GetRequiredService<INetworkInterfaces>(), sp.GetRequiredService<ILoggerFactory>(), progress));
        services.AddHostedService(sp => sp.GetRequiredService<TftpService>());
        return services;
    }
}
