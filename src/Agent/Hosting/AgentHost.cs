using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using NetbootPi.Agent.Dhcp;
using NetbootPi.Agent.Http;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tftp;

namespace NetbootPi.Agent.Hosting;

/// <summary>The composition root: every long-running service of the agent is registered here.</summary>
public static class AgentHost
{
    public static IHost Build(string sitePath, SiteInventory site, AgentEndpoints endpoints)
    {
        // The empty builder reads no appsettings.json and binds no configuration by reflection: trim-safe,
        // and the site file stays the only configuration there is.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "netbootpi" });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
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

        builder.Services.AddSingleton(new SiteState(sitePath, site));
        builder.Services.AddSingleton(_ => SystemdNotifier.FromEnvironment());
        builder.Services.AddHostedService<AgentLifecycle>();
        builder.Services.AddSingleton<SiteReloader>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SiteReloader>());
        builder.Services.AddSingleton(endpoints);
        builder.Services.AddBootHttp(site, endpoints.HttpListen);
        if (endpoints.EnableDhcp)
        {
            builder.Services.AddSingleton<DhcpService>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<DhcpService>());
        }
        if (endpoints.EnableTftp)
        {
            builder.Services.AddSingleton<TftpService>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<TftpService>());
        }
        return builder.Build();
    }
}
