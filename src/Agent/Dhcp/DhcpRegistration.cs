using Microsoft.Extensions.DependencyInjection;

namespace NetbootPi.Agent.Dhcp;

public static class DhcpRegistration
{
    /// <summary>The DHCP server on the site's DHCP networks; its bindings tell other services who a client is.</summary>
    public static IServiceCollection AddDhcp(this IServiceCollection services)
    {
        services.AddSingleton<DhcpService>();
        services.AddSingleton<IDhcpBindings>(sp => sp.GetRequiredService<DhcpService>());
        services.AddHostedService(sp => sp.GetRequiredService<DhcpService>());
        return services;
    }
}
