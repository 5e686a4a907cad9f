using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Apply.Network;
using NetbootPi.Agent.Os.Network;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Power.Recovery;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Control;

public static class ControlRegistration
{
    /// <summary>
    /// The control API on the unix socket <paramref name="socketPath"/>, for root and members of
    /// <paramref name="group"/>, with the status and site endpoints. Other areas add theirs as
    /// <see cref="IControlEndpoints"/>. Needs the site registered.
    /// </summary>
    public static IServiceCollection AddControl(this IServiceCollection services, string socketPath, string group, string version)
    {
        services.AddSingleton<IControlEndpoints>(sp => new StatusEndpoints(
            sp.GetRequiredService<SiteState>(), sp.GetRequiredService<ServiceStatus>(), sp.GetRequiredService<TimeProvider>(), version));
        services.AddSingleton<IControlEndpoints>(sp => new SiteEndpoints(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<SiteReloader>()));
        services.AddSingleton(sp => new ControlService(
            sp.GetServices<IControlEndpoints>(), ControlAccess.Local(group), sp.GetRequiredService<ILoggerFactory>(), socketPath,
            sp.GetRequiredService<ILogger<ControlService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ControlService>());
        return services;
    }

    /// <summary>Hosts' power and their recovery on the control API. Needs <c>AddHostPower</c>.</summary>
    public static IServiceCollection AddPowerEndpoints(this IServiceCollection services)
    {
        services.AddSingleton<IControlEndpoints>(sp => new PowerEndpoints(
            sp.GetRequiredService<SiteState>(), sp.GetRequiredService<HostPowerService>(), sp.GetService<RecoveryService>()));
        return services;
    }

    /// <summary>The box's network on the control API: apply, confirm, show (apply and confirm need <c>run --manage-network</c>).</summary>
    public static IServiceCollection AddNetworkEndpoints(this IServiceCollection services)
    {
        services.AddSingleton<IControlEndpoints>(sp => new NetworkEndpoints(
            sp.GetRequiredService<SiteState>(), sp.GetRequiredService<SiteReloader>(), sp.GetService<NetworkChanges>(),
            sp.GetRequiredService<ServiceStatus>(), sp.GetRequiredService<INetworkInterfaces>(), sp.GetService<INetworkd>(), sp.GetService<ISystemdManager>()));
        return services;
    }
}
