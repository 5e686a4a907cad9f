using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Tests.Cli;

/// <summary><c>show host</c> and <c>leases</c> say which pooled clients' names the box answers, from the lease store.</summary>
public sealed class PooledNameCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-cli-pooled-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await CommandLine.RunAsync(args, o, e, TestContext.Current.CancellationToken);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public async Task Show_host_and_leases_name_pooled_clients()
    {
        var site = Path.Combine(_dir, "site.yaml");
        File.WriteAllText(site, SiteText.Example.Replace("networks:\n", $"server: {{ state_dir: {_dir}/state }}\nnetworks:\n", StringComparison.Ordinal));
        var end = DateTimeOffset.UtcNow.AddHours(1);
        using (var store = LeaseStore.Open(Path.Combine(_dir, "state")))
        {
            store.Append(new DhcpLease(Ipv4Address.Parse("10.69.10.7"), MacAddress.Parse("02:00:00:00:00:07"), DhcpLeaseState.Bound, end, "laptop"));
            var last = store.Append(new DhcpLease(Ipv4Address.Parse("10.69.10.8"), MacAddress.Parse("02:00:00:00:00:08"), DhcpLeaseState.Bound, end, "spoon"));
            await store.WhenDurableAsync(last, TestContext.Current.CancellationToken);
        }

        var (code, o, e) = await Run("show", "host", "02:00:00:00:00:07", "--config", site);
        Assert.True(code == 0, e);
        Assert.Contains($"dns          laptop.netsoc.internal A 10.69.10.7, PTR 7.10.69.10.in-addr.arpa (the name it gave; until its lease ends at {end.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC)", o);
        (_, o, _) = await Run("show", "host", "02:00:00:00:00:08", "--config", site);
        Assert.Contains("dns          - (it asked for spoon.netsoc.internal with its lease of 10.69.10.8: not given, that is site host spoon's name)", o);

        (code, o, e) = await Run("leases", "--config", site);
        Assert.True(code == 0, e);
        Assert.Matches(@"10\.69\.10\.7\s+02:00:00:00:00:07\s+-\s+bound\s+\S+ \S+\s+laptop \(laptop\.netsoc\.internal\)", o);
        Assert.Matches(@"10\.69\.10\.8\s+02:00:00:00:00:08\s+-\s+bound\s+\S+ \S+\s+spoon \(not in DNS: site host spoon's name\)", o);
    }
}
