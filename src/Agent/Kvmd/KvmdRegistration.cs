using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Capture;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Control.Accounts;
using NetbootPi.Agent.Kvm;
using NetbootPi.Agent.Media.Catalog;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Kvmd;

public static class KvmdRegistration
{
    /// <summary>
    /// kvmd's API subset as routes of the control API (over HTTPS only, <c>run --network-api</c>). Register the
    /// control endpoints, power, the console host, the capture and the image catalog's endpoints first.
    /// </summary>
    public static IServiceCollection AddKvmd(this IServiceCollection services)
    {
        services.AddSingleton(sp => new KvmdCredentials(sp.GetRequiredService<AccountStore>(), sp.GetRequiredService<SessionStore>(),
            sp.GetRequiredService<PasswordLogins>(), sp.GetRequiredService<ILogger<KvmdCredentials>>()));
        services.AddSingleton<IControlEndpoints>(sp => new KvmdEndpoints(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<HostPowerService>(),
            sp.GetRequiredService<KvmdCredentials>(), sp.GetRequiredService<ImageCatalog>(), sp.GetRequiredService<ImageJobs>(), sp.GetRequiredService<ImageDownloads>(),
            sp.GetRequiredService<ImageEndpoints>(), sp.GetService<KvmService>(), sp.GetService<CaptureService>()));
        return services;
    }
}
