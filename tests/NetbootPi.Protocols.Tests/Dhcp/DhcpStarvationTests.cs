using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Net;
using static NetbootPi.Protocols.Tests.Dhcp.EngineHarness;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>
/// A client cycling through random MACs (what perfdhcp -R and starvation tools send) against the engine's defaults
/// on a fake clock: hosts with a reservation are served throughout, the pool comes back once the flood stops, and
/// a real client that renews keeps its address for the network's whole lease time (docs/dhcp.md: starvation).
/// </summary>
public class DhcpStarvationTests
{
    private static readonly MacAddress Known = MacAddress.Parse("52:54:00:aa:00:01");
    private static readonly Ipv4Address KnownAddress = Ipv4Address.Parse("10.0.0.10");

    private static EngineHarness Lab()
    {
        // 50 addresses, the engine's own options (first leases on probation).
        var h = new EngineHarness(new DhcpEngineOptions(), [], TestDhcpPolicy.Lan("10.0.0.100", "10.0.0.149", reserved: "10.0.0.10"));
        h.Policy.Reservations[Known] = new DhcpReservation(KnownAddress, "known");
        return h;
    }

    private static MacAddress RandomMac(Random rng)
    {
        Span<byte> b = stackalloc byte[6];
        rng.NextBytes(b);
        b[0] = (byte)((b[0] & 0xFC) | 0x02); // locally administered unicast, as perfdhcp -R makes them
        return MacAddress.FromBytes(b);
    }

    private static uint LeaseSeconds(DhcpMessage reply) =>
        reply.Options.TryGetUInt32(DhcpOptionCode.LeaseTime, out var s) ? s : throw new InvalidOperationException("no lease time");

    [Fact]
    public void A_random_mac_flood_takes_the_pool_but_never_a_reserved_host_and_the_pool_returns_a_minute_after()
    {
        var h = Lab();
        var rng = new Random(29);
        var bound = 0;
        for (var i = 0; i < 2000; i++)
        {
            var mac = RandomMac(rng);
            if (h.Send(h.Request(DhcpMessageType.Discover, mac)) is null) continue;
            h.Bind(mac);
            bound++;
            // The known host boots in the middle of the flood.
            if (i == 1000) Assert.Equal(KnownAddress, h.Bind(Known).YourAddress);
        }
        Assert.Equal(50, bound);
        Assert.Equal(DhcpDisposition.PoolExhausted, h.Last.Disposition);
        // The whole pool went to the flood, each address for a first lease of a minute, not the network's hour.
        Assert.All(h.Engine.SnapshotLeases().Where(l => l.Mac != Known),
            l => Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromMinutes(1), l.ExpiresAt));

        // The known host, rebooted (a new DISCOVER) and renewing, is served from its reservation for the hour.
        var known = h.Bind(Known);
        Assert.Equal(KnownAddress, known.YourAddress);
        Assert.Equal(3600u, LeaseSeconds(known));

        // A new client during the flood finds no address; once the flooder's leases run out, it gets one.
        var newcomer = MacAddress.Parse("52:54:00:bb:00:01");
        Assert.Null(h.Send(h.Request(DhcpMessageType.Discover, newcomer)));
        Assert.Equal(DhcpDisposition.PoolExhausted, h.Last.Disposition);
        h.Time.Advance(TimeSpan.FromSeconds(61));
        var ack = h.Bind(newcomer);
        Assert.True(ack.YourAddress >= Ipv4Address.Parse("10.0.0.100") && ack.YourAddress <= Ipv4Address.Parse("10.0.0.149"));
    }

    [Fact]
    public void A_new_client_is_on_probation_until_it_renews_then_gets_the_networks_lease_time()
    {
        var h = Lab();
        var mac = Mac(7);
        var offer = h.Send(h.Request(DhcpMessageType.Discover, mac))!;
        Assert.Equal(60u, LeaseSeconds(offer));
        Assert.True(offer.Options.TryGetUInt32(DhcpOptionCode.RenewalTime, out var t1));
        Assert.Equal(30u, t1);
        var ack = h.Bind(mac);
        Assert.Equal(60u, LeaseSeconds(ack));

        // RENEWING at T1 (RFC 2131 §4.3.2: ciaddr filled, no option 50 or 54).
        h.Time.Advance(TimeSpan.FromSeconds(30));
        var renew = h.Request(DhcpMessageType.Request, mac);
        renew.ClientAddress = ack.YourAddress;
        var renewed = h.Send(renew)!;
        Assert.Equal(DhcpMessageType.Ack, renewed.MessageType);
        Assert.Equal(ack.YourAddress, renewed.YourAddress);
        Assert.Equal(3600u, LeaseSeconds(renewed));

        // Its next boot starts from DISCOVER again: it is known now, so the offer is for the hour.
        Assert.Equal(3600u, LeaseSeconds(h.Send(h.Request(DhcpMessageType.Discover, mac))!));
    }

    [Fact]
    public void A_host_with_a_reservation_gets_the_whole_lease_from_its_first_exchange()
    {
        var h = Lab();
        var ack = h.Bind(Known);
        Assert.Equal(KnownAddress, ack.YourAddress);
        Assert.Equal(3600u, LeaseSeconds(ack));
    }

    [Fact]
    public void Probation_off_gives_every_client_the_networks_lease_time()
    {
        var h = new EngineHarness(new DhcpEngineOptions { ProbationLease = null }, [], TestDhcpPolicy.Lan());
        Assert.Equal(3600u, LeaseSeconds(h.Bind(Mac(3))));
    }
}
