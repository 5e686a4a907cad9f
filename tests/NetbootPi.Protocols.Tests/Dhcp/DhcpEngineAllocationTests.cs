using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Net;
using static NetbootPi.Protocols.Tests.Dhcp.EngineHarness;

namespace NetbootPi.Protocols.Tests.Dhcp;

public class DhcpEngineAllocationTests
{
    private static Ipv4Address A(string s) => Ipv4Address.Parse(s);

    [Fact]
    public void A_static_host_gets_its_address_even_inside_the_range_with_its_name()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan("10.0.0.100", "10.0.0.101", reserved: "10.0.0.100"));
        h.Policy.Reservations[Mac(9)] = new DhcpReservation(A("10.0.0.100"), "node9");
        var ack = h.Bind(Mac(9));
        Assert.Equal(A("10.0.0.100"), ack.YourAddress);
        Assert.Equal("node9", ack.Options.GetString(DhcpOptionCode.HostName));
    }

    [Fact]
    public void The_pool_never_hands_out_a_static_address()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan("10.0.0.100", "10.0.0.101", reserved: "10.0.0.100"));
        h.Policy.Reservations[Mac(9)] = new DhcpReservation(A("10.0.0.100"), "node9");
        Assert.Equal(A("10.0.0.101"), h.Bind(Mac(1)).YourAddress);
        Assert.Null(h.Send(h.Request(DhcpMessageType.Discover, Mac(2))));
        Assert.Equal(DhcpDisposition.PoolExhausted, h.Last.Disposition);
        // Asking for the static address explicitly does not help either.
        var req = h.Request(DhcpMessageType.Request, Mac(2));
        req.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, A("10.0.0.100"));
        Assert.Equal(DhcpMessageType.Nak, h.Send(req)!.MessageType);
    }

    [Fact]
    public void A_static_host_asking_for_another_address_is_naked()
    {
        var h = new EngineHarness();
        h.Policy.Reservations[Mac(9)] = new DhcpReservation(A("10.0.0.20"), null);
        var req = h.Request(DhcpMessageType.Request, Mac(9));
        req.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, A("10.0.0.150"));
        Assert.Equal(DhcpMessageType.Nak, h.Send(req)!.MessageType);
    }

    [Fact]
    public void The_pool_never_hands_out_the_servers_own_address_nor_the_subnet_ends()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan("10.0.0.0", "10.0.0.2"));
        Assert.Equal(A("10.0.0.2"), h.Bind(Mac(1)).YourAddress);
        Assert.Null(h.Send(h.Request(DhcpMessageType.Discover, Mac(2))));
        Assert.Equal(DhcpDisposition.PoolExhausted, h.Last.Disposition);
    }

    [Fact]
    public void A_client_may_ask_for_a_specific_free_address()
    {
        var h = new EngineHarness();
        var discover = h.Request(DhcpMessageType.Discover, Mac(1));
        discover.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, A("10.0.0.150"));
        Assert.Equal(A("10.0.0.150"), h.Send(discover)!.YourAddress);
        var outside = h.Request(DhcpMessageType.Discover, Mac(2));
        outside.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, A("10.0.0.50"));
        Assert.Equal(A("10.0.0.100"), h.Send(outside)!.YourAddress);
    }

    [Fact]
    public void A_returning_client_gets_its_previous_address_after_expiry_when_free()
    {
        var h = new EngineHarness();
        var first = h.Bind(Mac(1)).YourAddress;
        h.Bind(Mac(2));
        h.Time.Advance(TimeSpan.FromDays(3));
        h.Bind(Mac(3));
        Assert.Equal(first, h.Bind(Mac(1)).YourAddress);
    }

    [Fact]
    public void A_repeated_discover_gets_the_same_offer()
    {
        var h = new EngineHarness();
        var a = h.Send(h.Request(DhcpMessageType.Discover, Mac(1)))!.YourAddress;
        var b = h.Send(h.Request(DhcpMessageType.Discover, Mac(1)))!.YourAddress;
        Assert.Equal(a, b);
    }

    [Fact]
    public void Exhaustion_is_reported_and_unanswered()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan("10.0.0.100", "10.0.0.103"));
        for (var i = 0; i < 4; i++) h.Bind(Mac(i));
        Assert.Equal(4, h.Engine.SnapshotLeases().Select(l => l.Address).Distinct().Count());
        Assert.Null(h.Send(h.Request(DhcpMessageType.Discover, Mac(99))));
        Assert.Equal(DhcpDisposition.PoolExhausted, h.Last.Disposition);
        Assert.Equal("lan", h.Last.NetworkName);
    }

    [Fact]
    public void Recovered_leases_are_honoured()
    {
        var now = new FakeTimeProvider().GetUtcNow();
        DhcpLease[] recovered =
        [
            new(A("10.0.0.100"), Mac(1), DhcpLeaseState.Bound, now + TimeSpan.FromMinutes(30)),
            new(A("10.0.0.101"), Mac(2), DhcpLeaseState.Declined, now + TimeSpan.FromMinutes(5)),
            new(A("10.0.0.102"), Mac(3), DhcpLeaseState.Released, now),
        ];
        var h = new EngineHarness(recovered, TestDhcpPolicy.Lan("10.0.0.100", "10.0.0.103"));
        Assert.Equal(A("10.0.0.103"), h.Bind(Mac(7)).YourAddress);   // the only never-used address
        Assert.Equal(A("10.0.0.102"), h.Bind(Mac(8)).YourAddress);   // then the released one
        Assert.Null(h.Send(h.Request(DhcpMessageType.Discover, Mac(9))));
        Assert.Equal(A("10.0.0.100"), h.Bind(Mac(1)).YourAddress);   // its holder gets it back
    }

    [Fact]
    public void A_large_pool_allocates_distinct_addresses()
    {
        var lan = new DhcpNetwork
        {
            Name = "big",
            InterfaceName = "eth0",
            ServerAddress = A("10.1.0.1"),
            Subnet = Ipv4Network.TryParse("10.1.0.0/16", out var n) ? n : default,
            RangeStart = A("10.1.0.10"),
            RangeEnd = A("10.1.255.250"),
        };
        var h = new EngineHarness(lan);
        var seen = new HashSet<Ipv4Address>();
        for (var i = 0; i < 3000; i++)
        {
            var mac = MacAddress.Parse($"02:00:00:00:{i >> 8:x2}:{i & 0xFF:x2}");
            var offer = h.Send(h.Request(DhcpMessageType.Discover, mac))!;
            var req = h.Request(DhcpMessageType.Request, mac);
            req.Options.SetAddress(DhcpOptionCode.ServerIdentifier, A("10.1.0.1"));
            req.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, offer.YourAddress);
            Assert.Equal(DhcpMessageType.Ack, h.Send(req)!.MessageType);
            Assert.True(seen.Add(offer.YourAddress));
        }
    }
}
