using Microsoft.Extensions.DependencyInjection;
using NetbootPi.Agent.Health;

namespace NetbootPi.Agent.Dns;

public static class DnsRegistration
{
    /// <summary>The DNS server; it listens only while the site has a <c>dns:</c> section.</summary>
    public static IServiceCollection AddDns(this IServiceCollection services, DnsServiceOptions options)
    {
        // With DHCP the zone carries its pooled clients' names; DHCP's service is built on first use, before either starts.
        services.AddSingleton(sp => new DnsService(sp.GetRequiredService<Site.SiteState>(), options,
            sp.GetRequiredService<Os.Systemd.ServiceStatus>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<DnsService>>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetService<Dhcp.IDhcpLeases>()));
        services.AddHostedService(sp => sp.GetRequiredService<DnsService>());
        // Its UDP receive loops (one per address, replaced as the site changes) for the watchdog.
        services.AddSingleton<IHealthCheck>(sp =>
        {
            var dns = sp.GetRequiredService<DnsService>();
            return new LoopCheck(() => dns.Loops, LoopCheck.DefaultLimit);
        });
        return services;
    }
}
