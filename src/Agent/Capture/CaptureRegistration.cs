using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Power.Recovery;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Capture;

public static class CaptureRegistration
{
    /// <summary>
    /// The console host's screen (<c>kvm.capture</c>): ustreamer in a transient unit through systemd on the system
    /// bus, and snapshots into the host's events after a power-on and before a recovery cycle (recovery's witness).
    /// Needs the site, the boot events and <c>AddHostPower</c>.
    /// </summary>
    public static IServiceCollection AddCapture(this IServiceCollection services)
    {
        services.TryAddSingleton<IToolRunner>(sp => new ToolRunner(sp.GetRequiredService<TimeProvider>()));
        // No connection until a capture is started: a site without kvm.capture never talks to systemd for it.
        services.TryAddSingleton<ISystemdManager>(sp => SystemdManager.ForSystemBus(new SystemdManagerOptions { TimeProvider = sp.GetRequiredService<TimeProvider>() }));
        services.AddSingleton(sp => new CaptureService(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<ISystemdManager>(),
            sp.GetRequiredService<IToolRunner>(), sp.GetRequiredService<BootEventLog>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CaptureService>>(), sp.GetService<ServiceStatus>()));
        services.AddSingleton(sp => new CaptureSnapshots(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<CaptureService>(),
            sp.GetRequiredService<HostPowerService>(), sp.GetRequiredService<IAtomicFiles>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CaptureSnapshots>>()));
        services.AddSingleton<IRecoveryWitness>(sp => sp.GetRequiredService<CaptureSnapshots>());
        services.AddHostedService(sp => sp.GetRequiredService<CaptureService>());
        services.AddHostedService(sp => sp.GetRequiredService<CaptureSnapshots>());
        return services;
    }
}
