using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Alerts;
using NetbootPi.Agent.Apply.Network;
using NetbootPi.Agent.Control.Accounts;
using NetbootPi.Agent.Control.Network;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NetbootPi.Agent.Os;
using NetbootPi.Agent.Installs;
using NetbootPi.Agent.Overlays;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Network;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Kvm;
using NetbootPi.Agent.Media.Catalog;
using NetbootPi.Agent.Dhcp;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Power.Recovery;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Terminal;

namespace NetbootPi.Agent.Control;

public static class ControlRegistration
{
    /// <summary>
    /// The control API's routes: status, the site, accounts and sessions (the router every request goes through).
    /// Other areas add theirs as <see cref="IControlEndpoints"/>. Needs the site registered.
    /// </summary>
    public static IServiceCollection AddControlEndpoints(this IServiceCollection services, string version)
    {
        services.TryAddSingleton<ApiEndpointInfo>();
        services.AddSingleton<IControlEndpoints>(sp => new StatusEndpoints(
            sp.GetRequiredService<SiteState>(), sp.GetRequiredService<ServiceStatus>(), sp.GetRequiredService<TimeProvider>(), version,
            sp.GetRequiredService<ApiEndpointInfo>()));
        services.AddSingleton<IControlEndpoints>(sp => new SiteEndpoints(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<SiteReloader>(),
            sp.GetRequiredService<IAtomicFiles>(), sp.GetService<NetworkChanges>()));
        services.TryAddSingleton<IToolRunner>(sp => new ToolRunner(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IControlEndpoints>(sp => new WireGuardEndpoints(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<SiteReloader>(),
            sp.GetRequiredService<IAtomicFiles>(), sp.GetRequiredService<IToolRunner>(), sp.GetRequiredService<TimeProvider>()));
        services.AddAccounts();
        services.AddSingleton(sp => new ControlRouter(sp.GetServices<IControlEndpoints>(), sp.GetRequiredService<ILogger<ControlRouter>>(), version,
            sp.GetService<BootEventLog>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// The control API on the unix socket <paramref name="socketPath"/>, for root (admin) and members of
    /// <paramref name="group"/> (operator). Register the routes first (<see cref="AddControlEndpoints"/>).
    /// </summary>
    public static IServiceCollection AddControlSocket(this IServiceCollection services, string socketPath, string group)
    {
        services.AddSingleton(sp => new ControlService(
            sp.GetRequiredService<ControlRouter>(), ControlAccess.Local(group), sp.GetRequiredService<ILoggerFactory>(), socketPath,
            sp.GetRequiredService<ILogger<ControlService>>(), () => LoadAccounts(sp.GetRequiredService<AccountStore>())));
        services.AddHostedService(sp => sp.GetRequiredService<ControlService>());
        return services;
    }

    /// <summary>
    /// The users and tokens (<c>accounts.json</c> in the state directory of the site the agent starts with), the
    /// sessions and login limits, their endpoints, and the router every control request goes through.
    /// </summary>
    private static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var state = sp.GetRequiredService<SiteState>().Current.Server.StateDirectory;
            return new AccountStore(Path.Combine(state, AccountStore.FileName), sp.GetRequiredService<IAtomicFiles>(), sp.GetRequiredService<TimeProvider>())
            {
                FirstAdmin = new FirstAdmin(Path.Combine(state, FirstAdmin.FileName), sp.GetRequiredService<ILogger<FirstAdmin>>()),
            };
        });
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton(sp => new SessionStore(sp.GetRequiredService<TimeProvider>(), SessionStore.DefaultIdleTimeout, SessionStore.DefaultMaxAge));
        services.AddSingleton(sp => new LoginLimiter(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new PasswordLogins(sp.GetRequiredService<AccountStore>(), sp.GetRequiredService<PasswordHasher>(),
            sp.GetRequiredService<LoginLimiter>(), sp.GetRequiredService<SiteState>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PasswordLogins>>()));
        services.AddSingleton<IControlEndpoints>(sp => new SessionEndpoints(sp.GetRequiredService<PasswordLogins>(), sp.GetRequiredService<PasswordHasher>(),
            sp.GetRequiredService<SessionStore>(), sp.GetRequiredService<ILogger<SessionEndpoints>>()));
        services.AddSingleton<IControlEndpoints>(sp => new AccountEndpoints(sp.GetRequiredService<AccountStore>(), sp.GetRequiredService<PasswordHasher>(),
            sp.GetRequiredService<SessionStore>(), sp.GetRequiredService<ILogger<AccountEndpoints>>()));
        services.AddSingleton<IControlEndpoints>(sp => new TotpEndpoints(sp.GetRequiredService<AccountStore>(), sp.GetRequiredService<SiteState>(),
            sp.GetRequiredService<ILogger<TotpEndpoints>>()));
        return services;
    }

    /// <summary>
    /// The control API over the network (HTTPS on the management network's address, <c>run --network-api</c>), with
    /// the same routes as the socket. Register the routes first (<see cref="AddControlEndpoints"/>).
    /// </summary>
    public static IServiceCollection AddControlNetwork(this IServiceCollection services)
    {
        services.AddSingleton(sp => new ControlNetworkService(sp.GetRequiredService<ControlRouter>(), sp.GetRequiredService<SiteState>(),
            sp.GetRequiredService<AccountStore>(), sp.GetRequiredService<SessionStore>(), sp.GetRequiredService<PasswordLogins>(), sp.GetRequiredService<ApiEndpointInfo>(),
            sp.GetRequiredService<IAtomicFiles>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<ILogger<ControlNetworkService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ControlNetworkService>());
        return services;
    }

    /// <summary>
    /// The web console's terminal (<c>run --network-api</c>): its WebSocket route and the service that runs each
    /// shell as a transient unit through systemd on the system bus. Needs the accounts (<see cref="AddControlEndpoints"/>) and the boot events.
    /// </summary>
    public static IServiceCollection AddTerminal(this IServiceCollection services)
    {
        services.TryAddSingleton<ISystemdManager>(sp => SystemdManager.ForSystemBus(new SystemdManagerOptions { TimeProvider = sp.GetRequiredService<TimeProvider>() }));
        services.AddSingleton(sp => new TerminalService(sp.GetRequiredService<ISystemdManager>(), sp.GetRequiredService<BootEventLog>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TerminalService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<TerminalService>());
        services.AddSingleton<IControlEndpoints>(sp => new TerminalEndpoints(sp.GetRequiredService<TerminalService>(), sp.GetRequiredService<SessionStore>(),
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>Reads the accounts file at start; one that cannot be read stops the start with where it is wrong.</summary>
    internal static void LoadAccounts(AccountStore store)
    {
        try
        {
            store.Load();
        }
        catch (AccountStoreException e)
        {
            throw new ServiceStartException($"the control API does not start: {e.Message}", e);
        }
    }

    /// <summary>The boot events (recent, and a live stream), the hosts and leases, and the Prometheus counters on the control API.</summary>
    public static IServiceCollection AddEventEndpoints(this IServiceCollection services)
    {
        services.AddSingleton<IControlEndpoints>(sp => new EventEndpoints(sp.GetRequiredService<BootEventLog>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IControlEndpoints>(sp => new HostEndpoints(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<BootEventLog>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetService<DhcpService>(), sp.GetService<RecoveryService>()));
        services.AddSingleton<IControlEndpoints>(sp =>
        {
            var state = sp.GetRequiredService<SiteState>();
            // The route table is fixed at start, and with it who may read the counters.
            state.RequireUnchangedOnReload("server.metrics", s => s.Server.MetricsOpen ? "open" : "token", "who may read /metrics is set when the API starts");
            return new MetricsEndpoints(state, sp.GetRequiredService<BootEventLog>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<DhcpService>(),
                sp.GetService<RecoveryService>(), sp.GetService<AlertService>(), state.Current.Server.MetricsOpen);
        });
        return services;
    }

    /// <summary>The alerts' test on the control API. Needs <c>AddAlerts</c>.</summary>
    public static IServiceCollection AddAlertEndpoints(this IServiceCollection services)
    {
        services.AddSingleton<IControlEndpoints>(sp => new AlertEndpoints(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<AlertService>()));
        return services;
    }

    /// <summary>Hosts' overlays on the control API. Needs <c>AddOverlays</c>.</summary>
    public static IServiceCollection AddOverlayEndpoints(this IServiceCollection services)
    {
        services.AddSingleton<IControlEndpoints>(sp => new OverlayEndpoints(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<OverlayStore>()));
        return services;
    }

    /// <summary>The image catalog on the control API: list, upload, fetch by URL, jobs, remove. Needs <c>AddImageCatalog</c>.</summary>
    public static IServiceCollection AddImageEndpoints(this IServiceCollection services)
    {
        // One instance: kvmd's MSD paths upload and remove through it too.
        services.AddSingleton(sp => new ImageEndpoints(sp.GetRequiredService<ImageCatalog>(), sp.GetRequiredService<ImageJobs>(),
            sp.GetRequiredService<ImageDownloads>(), sp.GetRequiredService<BootEventLog>(), sp.GetService<KvmService>()));
        services.AddSingleton<IControlEndpoints>(sp => sp.GetRequiredService<ImageEndpoints>());
        return services;
    }

    /// <summary>Hosts' power, their one-time network boots and their recovery on the control API. Needs <c>AddHostPower</c>.</summary>
    public static IServiceCollection AddPowerEndpoints(this IServiceCollection services)
    {
        services.AddSingleton<IControlEndpoints>(sp => new PowerEndpoints(
            sp.GetRequiredService<SiteState>(), sp.GetRequiredService<HostPowerService>(), sp.GetService<RecoveryService>(), sp.GetRequiredService<BootOverrides>()));
        return services;
    }

    /// <summary>Hosts' unattended installs on the control API. Needs <c>AddInstalls</c>.</summary>
    public static IServiceCollection AddInstallEndpoints(this IServiceCollection services) =>
        services.AddSingleton<IControlEndpoints>(sp => new InstallEndpoints(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<InstallStore>()));

    /// <summary>The console host's drive, keyboard and pointer on the control API. Needs <c>AddKvm</c>.</summary>
    public static IServiceCollection AddKvmEndpoints(this IServiceCollection services)
    {
        services.AddSingleton<IControlEndpoints>(sp => new KvmEndpoints(sp.GetRequiredService<SiteState>(), sp.GetRequiredService<NetbootPi.Agent.Kvm.KvmService>()));
        return services;
    }

    /// <summary>The console host's screen capture on the control API. Needs <c>AddCapture</c>.</summary>
    public static IServiceCollection AddCaptureEndpoints(this IServiceCollection services)
    {
        services.AddSingleton<IControlEndpoints>(sp => new CaptureEndpoints(sp.GetRequiredService<SiteState>(),
            sp.GetRequiredService<NetbootPi.Agent.Capture.CaptureService>(), sp.GetRequiredService<NetbootPi.Agent.Capture.CaptureSnapshots>()));
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
