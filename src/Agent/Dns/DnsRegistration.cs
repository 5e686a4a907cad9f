using Microsoft.Extensions.DependencyInjection;

namespace NetbootPi.Agent.Dns;

public static class DnsRegistration
{
    /// <summary>The DNS server; it listens only while the site has a <c>dns:</c> section.</summary>
    public static IServiceCollection AddDns(this IServiceCollection services, DnsServiceOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<DnsService>();
        services.AddHostedService(sp => sp.GetRequiredService<DnsService>());
        return services;
    }
}
