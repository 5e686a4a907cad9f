using System.Net;
using Microsoft.Extensions.Time.Testing;
using NetbootPi.Agent.Dhcp;
using NetbootPi.Agent.Dns;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Dns;
using NetbootPi.Protocols.Net;
using NetbootPi.Tests.Shared;

namespace NetbootPi.Agent.Tests.Dns;

/// <summary>
/// The DNS service following the DHCP engine on a fake clock: a name appears when its lease is bound and goes when
/// the lease ends unrenewed, at that moment of the clock; a renewal keeps it past its first end.
/// </summary>
public sealed class PooledNameServiceTests : IDisposable
{
    private static readonly DhcpReceiveContext Lan = new("lan0", 67, Ipv4Address.Any, 68);
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-pooled-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>What DhcpService does for DNS, over an engine the test drives.</summary>
    private sealed class EngineLeases(DhcpEngine engine) : IDhcpLeases
    {
        public IReadOnlyList<DhcpLease> Snapshot() => engine.SnapshotLeases();

        public event Action? Changed
        {
            add => engine.BindingsChanged += value;
            remove => engine.BindingsChanged -= value;
        }
    }

    private static DhcpMessage Message(DhcpMessageType type, MacAddress mac, uint xid)
    {
        var m = new DhcpMessage { Operation = DhcpOperation.BootRequest, HardwareType = 1, HardwareAddressLength = 6, TransactionId = xid };
        mac.WriteTo(m.ClientHardwareAddressField);
        m.Options.SetByte(DhcpOptionCode.MessageType, (byte)type);
        return m;
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        // The service rebuilds on its own task after the engine's event: wait for it (a bound, not a clock).
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(25, TestContext.Current.CancellationToken);
        Assert.True(condition(), what);
    }

    [Fact]
    public async Task A_name_appears_with_its_lease_stays_while_renewed_and_goes_when_the_lease_ends()
    {
        var path = Path.Combine(_dir, "site.yaml");
        File.WriteAllText(path, $$"""
            site: { name: lab, domain: lab.internal }
            server: { state_dir: {{_dir}}/state }
            networks:
              lan: { interface: lan0, address: 10.27.0.1/24, dhcp: { mode: authoritative, range: 10.27.0.100-10.27.0.199, lease: 10m } }
            profiles: { p: { local: true } }
            defaults: { profile: p }
            dns: {}
            """);
        var loaded = SiteFile.Load(path);
        Assert.Empty(loaded.Errors);
        var state = new SiteState(path, loaded.Inventory!);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 21, 0, 0, TimeSpan.Zero));
        using var store = LeaseStore.Open(Path.Combine(_dir, "state"));
        var engine = new DhcpEngine(new SiteDhcpPolicies(state), store, time, store.Recovered);
        var log = new CapturingLogger();
        var dns = new DnsService(state, new DnsServiceOptions(new IPEndPoint(IPAddress.Parse("127.27.9.1"), 0)),
            new ServiceStatus(new SystemdNotifier(null)), new CapturingLogger<DnsService>(log), time, new EngineLeases(engine));
        await dns.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var mac = MacAddress.Parse("02:27:09:00:00:01");
            var buffer = new byte[1500];
            var offer = engine.Handle(Message(DhcpMessageType.Discover, mac, 1), Lan, buffer);
            var request = Message(DhcpMessageType.Request, mac, 2);
            request.Options.SetAddress(DhcpOptionCode.ServerIdentifier, Ipv4Address.Parse("10.27.0.1"));
            request.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, offer.Address);
            request.Options.SetString(DhcpOptionCode.HostName, "laptop");
            Assert.Equal(DhcpMessageType.Ack, engine.Handle(request, Lan, buffer).ReplyType);
            await Until(() => dns.Zone.Lookup("laptop.lab.internal", DnsRecordType.A).Kind == ZoneLookupKind.Answer, "laptop resolves once bound");
            // Logged just after the zone is swapped in.
            await Until(() => log.Contains(811, "DNS laptop.lab.internal is 10.27.0.100"), "the name logged");

            // Renewed at 8 minutes (no event: only its end moves); at its first end (10 min) it is read again and stays.
            time.Advance(TimeSpan.FromMinutes(8));
            var renew = Message(DhcpMessageType.Request, mac, 3);
            renew.ClientAddress = offer.Address;
            Assert.Equal(DhcpMessageType.Ack, engine.Handle(renew, Lan with { Source = offer.Address }, buffer).ReplyType);
            time.Advance(TimeSpan.FromMinutes(3));
            await Until(() => dns.Zone.Pooled.NextEnd == time.GetUtcNow().AddMinutes(7), "the names chosen again at the first end");
            Assert.Equal(ZoneLookupKind.Answer, dns.Zone.Lookup("laptop.lab.internal", DnsRecordType.A).Kind);

            // Not renewed again: at 18 minutes the lease ends and so does the name, without any DHCP traffic.
            time.Advance(TimeSpan.FromMinutes(7));
            await Until(() => dns.Zone.Lookup("laptop.lab.internal", DnsRecordType.A).Kind == ZoneLookupKind.NameError, "laptop gone when its lease ends");
            Assert.Equal(ZoneLookupKind.NameError, dns.Zone.Lookup("100.0.27.10.in-addr.arpa", DnsRecordType.PTR).Kind);
            Assert.Null(dns.Zone.Pooled.NextEnd);
        }
        finally
        {
            await dns.StopAsync(CancellationToken.None);
        }
    }
}
