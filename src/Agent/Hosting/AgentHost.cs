using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using NetbootPi.Agent.Alerts;
using NetbootPi.Agent.Backup;
using NetbootPi.Agent.Apply.Network;
using NetbootPi.Agent.Apply.Nfs;
using NetbootPi.Agent.Consoles;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Devices;
using NetbootPi.Agent.Dhcp;
using NetbootPi.Agent.Dns;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Http;
using NetbootPi.Agent.Installs;
using NetbootPi.Agent.Media.Catalog;
using NetbootPi.Agent.Capture;
using NetbootPi.Agent.Kvm;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Network;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Overlays;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tftp;
using NetbootPi.Agent.Redfish;
using NetbootPi.Agent.Kvmd;
using NetbootPi.Agent.Upstream;
using NetbootPi.Agent.Web;

namespace NetbootPi.Agent.Hosting;

/// <summary>
/// The composition root: the only place that knows every service of the agent. Each area registers itself
/// (<c>AddSite</c>, <c>AddDhcp</c>, ...); this decides which run and what they share.
/// </summary>
/// <remarks>Log event ids by area: 1–99 hosting and site, 100–299 HTTP, 300–399 DHCP, 400–499 upstream, 500–599 boot events, 600–699 control, 700–799 the box's network, 800–899 DNS, 900–999 recovery and consoles, 1000–1099 the console host's USB gadget (kvm), 1100–1199 the image catalog, 1200–1299 the console host's screen capture.</remarks>
public static class AgentHost
{
    public static IHost Build(string sitePath, SiteInventory site, AgentEndpoints endpoints, WatchdogOptions? watchdog = null)
    {
        // The empty builder reads no appsettings.json and binds no configuration by reflection: trim-safe,
        // and the site file stays the only configuration there is.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "netbootpi" });
        builder.Logging.SetMinimumLevel(LogLevelFromEnvironment());
        if (Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null)
        {
            // Under systemd: journald-style "<6>message" lines, no timestamps (journald adds its own).
            builder.Logging.AddSystemdConsole(o => o.TimestampFormat = null);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        // A service that cannot start says so in one sentence (run prints it); the host's "Hosting failed to start"
        // with the exception's stack trace would say it again, less clearly.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IAtomicFiles>(AtomicFiles.Local);
        services.AddSingleton<INetworkInterfaces, SystemNetworkInterfaces>();
        services.AddSingleton(_ => SystemdNotifier.FromEnvironment());
        services.AddSingleton<ServiceStatus>();
        services.AddHostedService<AgentLifecycle>();
        services.AddSite(sitePath, site);
        // Before the servers: a VLAN they serve on is asked for first (networkd creates it on its own time).
        if (endpoints.Network is { } network) services.AddNetworkApply(network);
        if (endpoints.Nfs is { } nfs) services.AddNfsApply(nfs);
        services.AddBootEvents();
        services.AddAlerts(AgentVersion.Current);
        services.AddOverlays();
        services.AddInstalls();
        services.AddUpstreamCache();
        services.AddConsoles();
        services.AddHostPower();
        services.AddImageCatalog();
        services.AddKvm();
        services.AddBackupSchedule(AgentVersion.Current);
        services.AddCapture();
        // The control socket comes up before the servers: `netbootpi status` can tell what a slow start waits for.
        if (endpoints.ControlSocket is not null || endpoints.NetworkApi)
        {
            services.AddControlEndpoints(AgentVersion.Current);
            services.AddNetworkEndpoints();
            services.AddPowerEndpoints();
            services.AddInstallEndpoints();
            services.AddOverlayEndpoints();
            services.AddKvmEndpoints();
            services.AddCaptureEndpoints();
            services.AddEventEndpoints();
            services.AddImageEndpoints();
            services.AddAlertEndpoints();
            if (endpoints.NetworkApi)
            {
                services.AddWebConsole(AgentVersion.Current);
                services.AddTerminal();
                services.AddRedfish(AgentVersion.Current);
                services.AddKvmd();
            }
        }
        if (endpoints.ControlSocket is { } socket) services.AddControlSocket(socket, endpoints.ControlGroup);
        if (endpoints.NetworkApi) services.AddControlNetwork();
        // Hosted services start in this order: HTTP and TFTP listen before DHCP points a machine at them.
        services.AddBootHttp(endpoints.ListenAddress, endpoints.HttpListen);
        if (endpoints.EnableTftp) services.AddTftp(new IPEndPoint(endpoints.ListenAddress, endpoints.TftpPort));
        // DNS before DHCP too: a client told the box is its DNS server finds it answering.
        if (endpoints.EnableDns) services.AddDns(new DnsServiceOptions(endpoints.DnsListen));
        if (endpoints.EnableDhcp) services.AddDhcp();
        // Last: the watchdog is armed once everything it guards runs, and on stop it is disarmed first.
        if (watchdog is not null) services.AddWatchdog(watchdog);
        return builder.Build();
    }

    /// <summary>
    /// Information unless NETBOOTPI_LOG_LEVEL says otherwise (debug: a line per DHCP request, with the host's name and
    /// MAC; trace, warning, error). An environment variable, so that a unit drop-in can turn it on for a while.
    /// </summary>
    internal static LogLevel LogLevelFromEnvironment() =>
        Environment.GetEnvironmentVariable("NETBOOTPI_LOG_LEVEL")?.Trim().ToLowerInvariant() switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            _ => LogLevel.Information,
        };
}
