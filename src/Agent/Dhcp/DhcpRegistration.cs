using Microsoft.Extensions.DependencyInjection;
using NetbootPi.Agent.Health;

namespace NetbootPi.Agent.Dhcp;

public static class DhcpRegistration
{
    /// <summary>The DHCP server on the site's DHCP networks; its bindings tell other services who a client is.</summary>
    public static IServiceCollection AddDhcp(this IServiceCollection services)
    {
        services.AddSingleton<DhcpService>();
        services.AddSingleton<IDhcpBindings>(sp => sp.GetRequiredService<DhcpService>());
        services.AddSingleton<IDhcpLeases>(sp => sp.GetRequiredService<DhcpService>());
        services.AddHostedService(sp => sp.GetRequiredService<DhcpService>());
        // Its receive loops (one per interface and port, replaced as interfaces come and go) for the watchdog.
        services.AddSingleton<IHealthCheck>(sp =>
        {
            var dhcp = sp.GetRequiredService<DhcpService>();
            return new LoopCheck(() => dhcp.Loops, LoopCheck.DefaultLimit);
        });
        return services;
    }
}
