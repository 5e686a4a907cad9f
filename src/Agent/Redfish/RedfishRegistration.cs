using Microsoft.Extensions.DependencyInjection;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Control.Accounts;
using NetbootPi.Agent.Kvm;
using NetbootPi.Agent.Media.Catalog;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Redfish;

public static class RedfishRegistration
{
    /// <summary>
    /// The Redfish service as routes of the control API (over HTTPS only, <c>run --network-api</c>). Register the
    /// control endpoints, power, the console host and the image catalog first.
    /// </summary>
    public static IServiceCollection AddRedfish(this IServiceCollection services, string version)
    {
        services.AddSingleton<IControlEndpoints>(sp => new RedfishEndpoints(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<HostPowerService>(),
            sp.GetRequiredService<BootOverrides>(), sp.GetRequiredService<SessionStore>(), sp.GetRequiredService<PasswordLogins>(), version, sp.GetService<KvmService>(),
            sp.GetService<ImageCatalog>(), sp.GetService<ImageDownloads>()));
        return services;
    }
}
