using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Os.DBus;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Network;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Apply.Network;

public static class NetworkRegistration
{
    /// <summary>The box's own network from the site: networkd or netctl and nftables, with the guard and the confirm window.</summary>
    public static IServiceCollection AddNetworkApply(this IServiceCollection services, NetworkServiceOptions options)
    {
        services.AddSingleton(options);
        services.TryAddSingleton<IToolRunner>(sp => new ToolRunner(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ISystemdManager>(sp => SystemdManager.ForSystemBus(new SystemdManagerOptions { TimeProvider = sp.GetRequiredService<TimeProvider>() }));
        services.TryAddSingleton<INetworkd>(sp => NetworkdOnBus.System(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new NetworkApplier(options.Applier, sp.GetRequiredService<IAtomicFiles>(), sp.GetRequiredService<IToolRunner>(),
            sp.GetRequiredService<ISystemdManager>(), sp.GetRequiredService<INetworkd>()));
        services.AddSingleton(sp => new NetworkChanges(sp.GetRequiredService<NetworkApplier>(),
            new ConfirmStore(Path.Combine(sp.GetRequiredService<SiteState>().Current.Server.StateDirectory, ConfirmStore.FileName), sp.GetRequiredService<IAtomicFiles>()),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<NetworkChanges>>()));
        services.AddHostedService<NetworkService>();
        return services;
    }
}
