using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Os.Tools;

namespace NetbootPi.Agent.Apply.Nfs;

public static class NfsRegistration
{
    /// <summary>The box's NFS exports from the site: our exports file, exportfs and nfs-server.service.</summary>
    public static IServiceCollection AddNfsApply(this IServiceCollection services, NfsApplierOptions options)
    {
        services.TryAddSingleton<IToolRunner>(sp => new ToolRunner(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ISystemdManager>(sp => SystemdManager.ForSystemBus(new SystemdManagerOptions { TimeProvider = sp.GetRequiredService<TimeProvider>() }));
        services.AddSingleton(sp => new NfsApplier(options, sp.GetRequiredService<IAtomicFiles>(), sp.GetRequiredService<IToolRunner>(), sp.GetRequiredService<ISystemdManager>()));
        services.AddHostedService<NfsService>();
        return services;
    }
}
