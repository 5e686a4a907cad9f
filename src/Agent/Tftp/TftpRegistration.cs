using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Os.Network;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Tftp;

public static class TftpRegistration
{
    /// <summary>The TFTP server on <paramref name="endpoint"/>, serving the site's TFTP root.</summary>
    public static IServiceCollection AddTftp(this IServiceCollection services, IPEndPoint endpoint)
    {
        services.AddSingleton(sp => new TftpService(sp.GetRequiredService<SiteState>(), endpoint,
            sp.GetRequiredService<INetworkInterfaces>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService(sp => sp.GetRequiredService<TftpService>());
        return services;
    }
}
