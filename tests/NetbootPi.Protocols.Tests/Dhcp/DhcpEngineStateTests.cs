using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Net;
using static NetbootPi.Protocols.Tests.Dhcp.EngineHarness;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>In-memory exchanges for each RFC 2131 §4.3 client state.</summary>
public class DhcpEngineStateTests
{
    private static readonly Ipv4Address A100 = Ipv4Address.Parse("10.0.0.100");
    private static readonly Ipv4Address A101 = Ipv4Address.Parse("10.0.0.101");

    [Fact]
    public void Discover_gets_an_offer_with_lease_times_and_requested_options_in_order()
    {
        var h = new EngineHarness();
        var offer = h.Send(h.Request(DhcpMessageType.Discover, Mac(1), 15, 3, 6, 12, 28, 42))!;
        Assert.Equal(DhcpMessageType.Offer, offer.MessageType);
        Assert.Equal(A100, offer.YourAddress);
        Assert.Equal(Ipv4Address.Any, offer.ClientAddress);
        var o = offer.Options;
        Assert.True(o.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var sid));
        Assert.Equal(Server, sid);
        Assert.True(o.TryGetUInt32(DhcpOptionCode.LeaseTime, out var lease));
        Assert.True(o.TryGetUInt32(DhcpOptionCode.RenewalTime, out var t1));
        Assert.True(o.TryGetUInt32(DhcpOptionCode.RebindingTime, out var t2));
        Assert.Equal((3600u, 1800u, 3150u), (lease, t1, t2));
        Assert.True(o.TryGetAddress(DhcpOptionCode.SubnetMask, out var mask));
        Assert.Equal(Ipv4Address.Parse("255.255.255.0"), mask);
        Assert.Equal("lab.example", o.GetString(DhcpOptionCode.DomainName));
        Assert.True(o.TryGetAddress(DhcpOptionCode.BroadcastAddress, out var bcast));
        Assert.Equal(Ipv4Address.Parse("10.0.0.255"), bcast);
        Assert.Equal(8, o.Get(DhcpOptionCode.DomainNameServer).Length);
        Assert.False(o.Contains(DhcpOptionCode.HostName)); // no reservation, so no name to give
        // Requested options follow the client's order: 15, 3, 6, 28.
        var codes = Enumerable.Range(0, o.Count).Select(o.CodeAt).ToList();
        Assert.True(codes.IndexOf(DhcpOptionCode.DomainName) < codes.IndexOf(DhcpOptionCode.Router));
        Assert.True(codes.IndexOf(DhcpOptionCode.Router) < codes.IndexOf(DhcpOptionCode.BroadcastAddress));
        // Offers are not durable state: nothing was journaled.
        Assert.Empty(h.Journal.Records);
    }

    [Fact]
    public void Options_not_in_the_request_list_are_not_sent()
    {
        var h = new EngineHarness();
        var offer = h.Send(h.Request(DhcpMessageType.Discover, Mac(1), 3))!;
        Assert.True(offer.Options.Contains(DhcpOptionCode.Router));
        Assert.False(offer.Options.Contains(DhcpOptionCode.DomainNameServer));
        Assert.False(offer.Options.Contains(DhcpOptionCode.DomainName));
        Assert.True(offer.Options.Contains(DhcpOptionCode.SubnetMask)); // always sent
    }

    [Fact]
    public void Selecting_request_for_our_offer_is_acked_after_a_journal_commit()
    {
        var h = new EngineHarness();
        var ack = h.Bind(Mac(1));
        Assert.Equal(A100, ack.YourAddress);
        Assert.True(h.Last.CommitTicket > 0);
        var record = Assert.Single(h.Journal.Records);
        Assert.Equal(new DhcpLease(A100, Mac(1), DhcpLeaseState.Bound, h.Time.GetUtcNow() + TimeSpan.FromHours(1)), record);
    }

    [Fact]
    public void Selecting_another_server_releases_our_offer()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan("10.0.0.100", "10.0.0.100"));
        Assert.NotNull(h.Send(h.Request(DhcpMessageType.Discover, Mac(1))));
        // The only address is held for Mac(1): Mac(2) gets nothing.
        Assert.Null(h.Send(h.Request(DhcpMessageType.Discover, Mac(2))));
        Assert.Equal(DhcpDisposition.PoolExhausted, h.Last.Disposition);

        var req = h.Request(DhcpMessageType.Request, Mac(1));
        req.Options.SetAddress(DhcpOptionCode.ServerIdentifier, Ipv4Address.Parse("10.0.0.2"));
        req.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, Ipv4Address.Parse("10.0.0.77"));
        Assert.Null(h.Send(req));
        Assert.Equal(DhcpDisposition.OtherServerSelected, h.Last.Disposition);

        Assert.Equal(A100, h.Send(h.Request(DhcpMessageType.Discover, Mac(2)))!.YourAddress);
    }

    [Fact]
    public void Offers_are_held_only_briefly()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan("10.0.0.100", "10.0.0.100"));
        Assert.NotNull(h.Send(h.Request(DhcpMessageType.Discover, Mac(1))));
        h.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Null(h.Send(h.Request(DhcpMessageType.Discover, Mac(2))));
        h.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(A100, h.Send(h.Request(DhcpMessageType.Discover, Mac(2)))!.YourAddress);
    }

    [Fact]
    public void Selecting_request_for_an_address_held_by_another_client_is_naked()
    {
        var h = new EngineHarness();
        h.Bind(Mac(1));
        var req = h.Request(DhcpMessageType.Request, Mac(2));
        req.Options.SetAddress(DhcpOptionCode.ServerIdentifier, Server);
        req.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, A100);
        var nak = h.Send(req)!;
        Assert.Equal(DhcpMessageType.Nak, nak.MessageType);
        Assert.Equal(Ipv4Address.Any, nak.YourAddress);
        Assert.False(nak.Options.Contains(DhcpOptionCode.LeaseTime));
        Assert.Equal(DhcpRouteKind.Broadcast, h.Last.Route.Kind);
        Assert.Equal(0, h.Last.CommitTicket);
    }

    [Fact]
    public void Init_reboot_with_the_right_address_is_acked()
    {
        var h = new EngineHarness();
        h.Bind(Mac(1));
        h.Time.Advance(TimeSpan.FromMinutes(10));
        var req = h.Request(DhcpMessageType.Request, Mac(1));
        req.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, A100);
        var ack = h.Send(req)!;
        Assert.Equal(DhcpMessageType.Ack, ack.MessageType);
        Assert.Equal(A100, ack.YourAddress);
        Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromHours(1), h.Journal.Records[^1].ExpiresAt);
    }

    [Fact]
    public void Init_reboot_from_another_network_is_naked_by_broadcast()
    {
        var h = new EngineHarness();
        var req = h.Request(DhcpMessageType.Request, Mac(1));
        req.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, Ipv4Address.Parse("192.168.1.50"));
        var nak = h.Send(req)!;
        Assert.Equal(DhcpMessageType.Nak, nak.MessageType);
        Assert.Equal(DhcpRouteKind.Broadcast, h.Last.Route.Kind);
        Assert.Equal(Ipv4Address.Broadcast, h.Last.Route.Address);
        Assert.Empty(h.Journal.Records);
    }

    [Fact]
    public void Init_reboot_for_a_free_address_of_the_range_is_acked_authoritatively()
    {
        // After a lost lease database the client still knows its address; an authoritative server re-grants it.
        var h = new EngineHarness();
        var req = h.Request(DhcpMessageType.Request, Mac(1));
        req.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, Ipv4Address.Parse("10.0.0.150"));
        Assert.Equal(DhcpMessageType.Ack, h.Send(req)!.MessageType);
    }

    [Fact]
    public void Renewing_unicast_is_acked_to_ciaddr_and_extends_the_lease()
    {
        var h = new EngineHarness();
        h.Bind(Mac(1));
        h.Time.Advance(TimeSpan.FromMinutes(30)); // T1
        var req = h.Request(DhcpMessageType.Request, Mac(1));
        req.ClientAddress = A100;
        var ack = h.Send(req, Eth0 with { Source = A100 })!;
        Assert.Equal(DhcpMessageType.Ack, ack.MessageType);
        Assert.Equal(A100, ack.ClientAddress);
        Assert.Equal(A100, ack.YourAddress);
        Assert.Equal(new DhcpReplyRoute(DhcpRouteKind.ClientAddress, A100, 68, "eth0", Mac(1)), h.Last.Route);
        Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromHours(1), h.Journal.Records[^1].ExpiresAt);
        Assert.True(h.Last.CommitTicket > 0);
    }

    [Fact]
    public void Rebinding_broadcast_is_acked_to_ciaddr()
    {
        var h = new EngineHarness();
        h.Bind(Mac(1));
        h.Time.Advance(TimeSpan.FromMinutes(53)); // past T2
        var req = h.Request(DhcpMessageType.Request, Mac(1));
        req.ClientAddress = A100;
        req.IsBroadcast = true;
        var ack = h.Send(req)!;
        Assert.Equal(DhcpMessageType.Ack, ack.MessageType);
        Assert.Equal(DhcpRouteKind.ClientAddress, h.Last.Route.Kind);
    }

    [Fact]
    public void Renewing_an_address_held_by_another_client_is_naked()
    {
        var h = new EngineHarness();
        h.Bind(Mac(1));
        var req = h.Request(DhcpMessageType.Request, Mac(2));
        req.ClientAddress = A100;
        Assert.Equal(DhcpMessageType.Nak, h.Send(req)!.MessageType);
        // §4.1: a NAK is broadcast even though ciaddr is set.
        Assert.Equal(DhcpRouteKind.Broadcast, h.Last.Route.Kind);
    }

    [Fact]
    public void Decline_quarantines_the_address_for_everyone()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan("10.0.0.100", "10.0.0.101"));
        h.Bind(Mac(1));
        var decline = h.Request(DhcpMessageType.Decline, Mac(1));
        decline.Options.SetAddress(DhcpOptionCode.ServerIdentifier, Server);
        decline.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, A100);
        Assert.Null(h.Send(decline));
        Assert.Equal(DhcpDisposition.Declined, h.Last.Disposition);
        Assert.Equal(DhcpLeaseState.Declined, h.Journal.Records[^1].State);

        // The declining client moves on to another address; a third client finds the pool empty.
        Assert.Equal(A101, h.Bind(Mac(1)).YourAddress);
        Assert.Null(h.Send(h.Request(DhcpMessageType.Discover, Mac(3))));
        Assert.Equal(DhcpDisposition.PoolExhausted, h.Last.Disposition);
        // After the quarantine it is usable again.
        h.Time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(A100, h.Send(h.Request(DhcpMessageType.Discover, Mac(3)))!.YourAddress);
    }

    [Fact]
    public void Decline_of_an_address_the_client_does_not_hold_is_ignored()
    {
        var h = new EngineHarness();
        h.Bind(Mac(1));
        var decline = h.Request(DhcpMessageType.Decline, Mac(2));
        decline.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, A100);
        Assert.Null(h.Send(decline));
        Assert.Equal(DhcpDisposition.NoMatchingLease, h.Last.Disposition);
        Assert.Single(h.Journal.Records);
    }

    [Fact]
    public void Release_frees_the_address_but_the_client_gets_it_back()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan("10.0.0.100", "10.0.0.101"));
        h.Bind(Mac(1));
        var release = h.Request(DhcpMessageType.Release, Mac(1));
        release.ClientAddress = A100;
        release.Options.SetAddress(DhcpOptionCode.ServerIdentifier, Server);
        Assert.Null(h.Send(release));
        Assert.Equal(DhcpDisposition.Released, h.Last.Disposition);
        Assert.Equal(DhcpLeaseState.Released, h.Journal.Records[^1].State);

        // A new client prefers a never-used address; the returning client gets its own back.
        Assert.Equal(A101, h.Bind(Mac(2)).YourAddress);
        Assert.Equal(A100, h.Bind(Mac(1)).YourAddress);
    }

    [Fact]
    public void A_released_address_goes_to_another_client_when_nothing_else_is_left()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan("10.0.0.100", "10.0.0.100"));
        h.Bind(Mac(1));
        var release = h.Request(DhcpMessageType.Release, Mac(1));
        release.ClientAddress = A100;
        h.Send(release);
        Assert.Equal(A100, h.Bind(Mac(2)).YourAddress);
        // Mac(1) no longer has a claim on it.
        Assert.Null(h.Send(h.Request(DhcpMessageType.Discover, Mac(1))));
    }

    [Fact]
    public void Release_by_another_mac_is_ignored()
    {
        var h = new EngineHarness();
        h.Bind(Mac(1));
        var release = h.Request(DhcpMessageType.Release, Mac(2));
        release.ClientAddress = A100;
        Assert.Null(h.Send(release));
        Assert.Equal(DhcpDisposition.NoMatchingLease, h.Last.Disposition);
        Assert.NotEqual(A100, h.Send(h.Request(DhcpMessageType.Discover, Mac(3)))!.YourAddress);
    }

    [Fact]
    public void Inform_gets_options_without_an_address_or_lease_time()
    {
        var h = new EngineHarness();
        var inform = h.Request(DhcpMessageType.Inform, Mac(1), 3, 6, 51);
        inform.ClientAddress = Ipv4Address.Parse("10.0.0.20");
        var ack = h.Send(inform, Eth0 with { Source = Ipv4Address.Parse("10.0.0.20") })!;
        Assert.Equal(DhcpMessageType.Ack, ack.MessageType);
        Assert.Equal(Ipv4Address.Any, ack.YourAddress);
        Assert.Equal(Ipv4Address.Parse("10.0.0.20"), ack.ClientAddress);
        Assert.False(ack.Options.Contains(DhcpOptionCode.LeaseTime));
        Assert.False(ack.Options.Contains(DhcpOptionCode.RenewalTime));
        Assert.True(ack.Options.Contains(DhcpOptionCode.Router));
        Assert.Equal(DhcpRouteKind.ClientAddress, h.Last.Route.Kind);
        Assert.Empty(h.Journal.Records);
    }

    [Fact]
    public void Server_messages_and_replies_are_ignored()
    {
        var h = new EngineHarness();
        Assert.Null(h.Send(h.Request(DhcpMessageType.Offer, Mac(1))));
        Assert.Equal(DhcpDisposition.UnexpectedMessageType, h.Last.Disposition);
        var reply = h.Request(DhcpMessageType.Discover, Mac(1));
        reply.Operation = DhcpOperation.BootReply;
        Assert.Null(h.Send(reply));
        Assert.Equal(DhcpDisposition.NotARequest, h.Last.Disposition);
        var ib = h.Request(DhcpMessageType.Discover, Mac(1));
        ib.HardwareType = 32;
        ib.HardwareAddressLength = 0;
        Assert.Null(h.Send(ib));
        Assert.Equal(DhcpDisposition.NotEthernet, h.Last.Disposition);
    }
}
