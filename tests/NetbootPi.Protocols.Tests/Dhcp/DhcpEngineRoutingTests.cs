using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Net;
using static NetbootPi.Protocols.Tests.Dhcp.EngineHarness;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>RFC 2131 §4.1 delivery and network selection, direct and relayed.</summary>
public class DhcpEngineRoutingTests
{
    private static readonly Ipv4Address Relay = Ipv4Address.Parse("10.9.0.1");

    [Fact]
    public void Broadcast_flag_gets_a_broadcast_offer()
    {
        var h = new EngineHarness();
        var d = h.Request(DhcpMessageType.Discover, Mac(1));
        d.IsBroadcast = true;
        var offer = h.Send(d)!;
        Assert.True(offer.IsBroadcast);
        Assert.Equal(new DhcpReplyRoute(DhcpRouteKind.Broadcast, Ipv4Address.Broadcast, 68, "eth0", Mac(1)), h.Last.Route);
    }

    [Fact]
    public void Without_broadcast_flag_the_offer_goes_to_yiaddr_at_chaddr()
    {
        var h = new EngineHarness();
        var offer = h.Send(h.Request(DhcpMessageType.Discover, Mac(1)))!;
        Assert.Equal(new DhcpReplyRoute(DhcpRouteKind.ClientHardware, offer.YourAddress, 68, "eth0", Mac(1)), h.Last.Route);
    }

    [Fact]
    public void Requests_on_an_unserved_interface_are_dropped()
    {
        var h = new EngineHarness();
        Assert.Null(h.Send(h.Request(DhcpMessageType.Discover, Mac(1)), Eth0 with { InterfaceName = "wlan0" }));
        Assert.Equal(DhcpDisposition.UnknownNetwork, h.Last.Disposition);
    }

    [Fact]
    public void Relayed_requests_are_matched_by_giaddr_and_answered_to_the_relay()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan(), TestDhcpPolicy.Remote());
        var d = h.Request(DhcpMessageType.Discover, Mac(1), 3, 1);
        d.GatewayAddress = Relay;
        d.Hops = 1;
        d.Options.Set(DhcpOptionCode.RelayAgentInformation, [1, 3, (byte)'p', (byte)'1', (byte)'7', 2, 2, 0xAA, 0xBB]);
        var offer = h.Send(d, Eth0 with { Source = Relay, SourcePort = 67 })!;
        Assert.Equal(Ipv4Address.Parse("10.9.0.100"), offer.YourAddress);
        Assert.Equal(Relay, offer.GatewayAddress);
        Assert.Equal(new DhcpReplyRoute(DhcpRouteKind.Relay, Relay, 67, "eth0", Mac(1)), h.Last.Route);
        Assert.True(offer.Options.TryGetAddress(DhcpOptionCode.Router, out var router));
        Assert.Equal(Relay, router);
        Assert.True(offer.Options.TryGetAddress(DhcpOptionCode.SubnetMask, out var mask));
        Assert.Equal(Ipv4Address.Parse("255.255.255.0"), mask);
        // Option 82 comes back unchanged and last.
        Assert.Equal(DhcpOptionCode.RelayAgentInformation, offer.Options.CodeAt(offer.Options.Count - 1));
        Assert.Equal(d.Options.Get(DhcpOptionCode.RelayAgentInformation).ToArray(),
            offer.Options.Get(DhcpOptionCode.RelayAgentInformation).ToArray());
        Assert.Equal("remote", h.Last.NetworkName);
    }

    [Fact]
    public void A_relayed_nak_goes_to_the_relay_with_the_broadcast_bit()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan(), TestDhcpPolicy.Remote());
        var req = h.Request(DhcpMessageType.Request, Mac(1));
        req.GatewayAddress = Relay;
        req.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, Ipv4Address.Parse("10.0.0.150")); // the other network
        var nak = h.Send(req)!;
        Assert.Equal(DhcpMessageType.Nak, nak.MessageType);
        Assert.True(nak.IsBroadcast);
        Assert.Equal(DhcpRouteKind.Relay, h.Last.Route.Kind);
    }

    [Fact]
    public void A_relayed_exchange_binds_in_the_relays_network()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan(), TestDhcpPolicy.Remote());
        var d = h.Request(DhcpMessageType.Discover, Mac(1));
        d.GatewayAddress = Relay;
        var offer = h.Send(d)!;
        var req = h.Request(DhcpMessageType.Request, Mac(1));
        req.GatewayAddress = Relay;
        req.Options.SetAddress(DhcpOptionCode.ServerIdentifier, Server);
        req.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, offer.YourAddress);
        var ack = h.Send(req)!;
        Assert.Equal(DhcpMessageType.Ack, ack.MessageType);
        Assert.Equal(DhcpRouteKind.Relay, h.Last.Route.Kind);
        Assert.Equal(Ipv4Address.Parse("10.9.0.100"), h.Journal.Records[^1].Address);
    }

    [Fact]
    public void A_relay_outside_every_network_is_dropped()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan(), TestDhcpPolicy.Remote());
        var d = h.Request(DhcpMessageType.Discover, Mac(1));
        d.GatewayAddress = Ipv4Address.Parse("172.16.0.1");
        Assert.Null(h.Send(d));
        Assert.Equal(DhcpDisposition.UnknownNetwork, h.Last.Disposition);
    }

    [Fact]
    public void Client_identifier_is_echoed()
    {
        var h = new EngineHarness();
        var d = h.Request(DhcpMessageType.Discover, Mac(1));
        d.Options.Set(DhcpOptionCode.ClientIdentifier, [1, 0x52, 0x54, 0, 0, 0, 1]);
        var offer = h.Send(d)!;
        Assert.Equal(new byte[] { 1, 0x52, 0x54, 0, 0, 0, 1 }, offer.Options.Get(DhcpOptionCode.ClientIdentifier).ToArray());
    }

    [Fact]
    public void Replies_respect_the_clients_maximum_message_size()
    {
        var h = new EngineHarness(new DhcpNetwork
        {
            Name = "lan",
            InterfaceName = "eth0",
            ServerAddress = Server,
            Subnet = Ipv4Network.TryParse("10.0.0.0/24", out var n) ? n : default,
            RangeStart = Ipv4Address.Parse("10.0.0.100"),
            RangeEnd = Ipv4Address.Parse("10.0.0.199"),
            // 60 DNS servers: 240 bytes of option 6, and a 100-byte domain name: together more than the
            // 274 bytes the options field has left after the required options.
            DnsServers = Enumerable.Range(1, 60).Select(i => new Ipv4Address(10, 0, 1, (byte)i)).ToArray(),
            DomainName = new string('d', 100),
        });
        var d = h.Request(DhcpMessageType.Discover, Mac(1), 6, 15);
        var offer = h.Send(d)!; // no option 57: 548 bytes at most (checked by the harness)
        Assert.True(offer.Options.Contains(DhcpOptionCode.DomainNameServer) && offer.Options.Contains(DhcpOptionCode.DomainName));
        Assert.NotEqual(0, offer.Overload); // the second one only fits by borrowing file/sname

        d = h.Request(DhcpMessageType.Discover, Mac(2), 6, 15);
        d.BootFileName = "x"; // irrelevant to the reply; the reply's own file is free
        d.Options.SetUInt16(DhcpOptionCode.MaximumMessageSize, 1500);
        offer = h.Send(d)!;
        Assert.Equal(0, offer.Overload); // 1472 bytes: everything fits in the options field
    }
}
