using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Kvm;

public static class KvmRegistration
{
    /// <summary>
    /// The console host's USB gadget (<c>kvm:</c>): built at start when the site names a console host, torn down
    /// at stop. Needs the site and the boot events.
    /// </summary>
    public static IServiceCollection AddKvm(this IServiceCollection services)
    {
        services.TryAddSingleton<IToolRunner>(sp => new ToolRunner(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var state = sp.GetRequiredService<SiteState>();
            // The gadget is built once, for the UDC named at start; another console host or UDC needs a restart. The
            // keyboard layout is only how text becomes keys: a reload changes it.
            state.RequireUnchangedOnReload("kvm", s => s.Kvm is { } k ? $"host {k.Host}, udc {k.Udc ?? "(the only one)"}" : "(none)",
                "the USB gadget for the console host is built and bound once, at start (restart the agent: systemctl restart netbootpi)");
            return new KvmService(state, sp.GetRequiredService<BootEventLog>(), sp.GetRequiredService<IToolRunner>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<KvmService>>(), sp.GetService<ServiceStatus>());
        });
        services.AddHostedService(sp => sp.GetRequiredService<KvmService>());
        return services;
    }
}
