using System.Text;
using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Options;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Net;
using static NetbootPi.Protocols.Tests.Dhcp.EngineHarness;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>
/// A network the box is not on, reached only through relays: every reply names the box's address the relay
/// sent the request to (the receive context's local address) as server identifier, siaddr and in boot URLs.
/// </summary>
public class DhcpEngineRelayOnlyTests
{
    private static readonly Ipv4Address Relay = Ipv4Address.Parse("10.70.0.1");
    private static readonly Ipv4Address BoxSeenByRelay = Ipv4Address.Parse("192.168.5.9");
    private static readonly DhcpReceiveContext FromRelay = new("eth0", 67, Relay, 67, BoxSeenByRelay);

    private static DhcpMessage Relayed(EngineHarness h, DhcpMessageType type, MacAddress mac, Action<DhcpOptionSet>? options = null)
    {
        var m = h.Request(type, mac);
        m.GatewayAddress = Relay;
        m.Hops = 1;
        options?.Invoke(m.Options);
        return m;
    }

    private static void Ipxe(DhcpOptionSet o)
    {
        o.SetString(DhcpOptionCode.VendorClassIdentifier, "PXEClient:Arch:00007:UNDI:003016");
        o.SetUInt16(DhcpOptionCode.ClientSystemArchitecture, 7);
        o.SetString(DhcpOptionCode.UserClass, "iPXE");
    }

    [Fact]
    public void The_offer_names_the_address_the_relay_sent_to()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan(), TestDhcpPolicy.RelayOnly());
        var offer = h.Send(Relayed(h, DhcpMessageType.Discover, Mac(1), Ipxe), FromRelay)!;
        Assert.Equal("far", h.Last.NetworkName);
        Assert.Equal(Ipv4Address.Parse("10.70.1.100"), offer.YourAddress);
        Assert.True(offer.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var id));
        Assert.Equal(BoxSeenByRelay, id);
        Assert.Equal(BoxSeenByRelay, offer.NextServerAddress);
        Assert.Equal($"http://{BoxSeenByRelay}/boot.ipxe", offer.BootFileName);
        Assert.Equal(new DhcpReplyRoute(DhcpRouteKind.Relay, Relay, 67, "eth0", Mac(1)), h.Last.Route);
    }

    [Fact]
    public void A_pxe_client_gets_option_66_with_the_relays_box_address()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan(), TestDhcpPolicy.RelayOnly());
        var d = Relayed(h, DhcpMessageType.Discover, Mac(1), o =>
        {
            o.SetString(DhcpOptionCode.VendorClassIdentifier, "PXEClient:Arch:00000:UNDI:002001");
            o.SetUInt16(DhcpOptionCode.ClientSystemArchitecture, 0);
            o.Set(DhcpOptionCode.ParameterRequestList, [1, 3, 66, 67]);
        });
        var offer = h.Send(d, FromRelay)!;
        Assert.Equal("undionly.kpxe", offer.BootFileName);
        Assert.Equal(BoxSeenByRelay.ToString(), Encoding.ASCII.GetString(offer.Options.Get(DhcpOptionCode.TftpServerName)));
    }

    [Fact]
    public void Two_relays_forwarding_to_different_box_addresses_each_get_their_own()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan(), TestDhcpPolicy.RelayOnly());
        var other = Ipv4Address.Parse("172.16.0.1");
        var first = h.Send(Relayed(h, DhcpMessageType.Discover, Mac(1)), FromRelay)!;
        var second = h.Send(Relayed(h, DhcpMessageType.Discover, Mac(2)), FromRelay with { LocalAddress = other })!;
        Assert.True(first.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var a));
        Assert.True(second.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var b));
        Assert.Equal((BoxSeenByRelay, other), (a, b));
    }

    [Fact]
    public void The_selecting_request_naming_that_address_is_acked_and_another_server_is_not()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan(), TestDhcpPolicy.RelayOnly());
        var offer = h.Send(Relayed(h, DhcpMessageType.Discover, Mac(1)), FromRelay)!;

        var elsewhere = Relayed(h, DhcpMessageType.Request, Mac(1), o =>
        {
            o.SetAddress(DhcpOptionCode.ServerIdentifier, Server); // the box's lan address: not what this relay uses
            o.SetAddress(DhcpOptionCode.RequestedIpAddress, offer.YourAddress);
        });
        Assert.Null(h.Send(elsewhere, FromRelay));
        Assert.Equal(DhcpDisposition.OtherServerSelected, h.Last.Disposition);

        offer = h.Send(Relayed(h, DhcpMessageType.Discover, Mac(1)), FromRelay)!;
        var req = Relayed(h, DhcpMessageType.Request, Mac(1), o =>
        {
            o.SetAddress(DhcpOptionCode.ServerIdentifier, BoxSeenByRelay);
            o.SetAddress(DhcpOptionCode.RequestedIpAddress, offer.YourAddress);
        });
        var ack = h.Send(req, FromRelay)!;
        Assert.Equal(DhcpMessageType.Ack, ack.MessageType);
        Assert.Equal(offer.YourAddress, ack.YourAddress);
        Assert.Equal(offer.YourAddress, h.Journal.Records[^1].Address);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("224.0.0.1")]
    public void Without_a_unicast_local_address_there_is_no_server_to_name(string local)
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan(), TestDhcpPolicy.RelayOnly());
        Assert.Null(h.Send(Relayed(h, DhcpMessageType.Discover, Mac(1)), FromRelay with { LocalAddress = Ipv4Address.Parse(local) }));
        Assert.Equal(DhcpDisposition.NoServerAddress, h.Last.Disposition);
        Assert.Equal("far", h.Last.NetworkName);
    }

    [Fact]
    public void An_attached_network_keeps_its_own_address_whatever_the_local_address()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan(), TestDhcpPolicy.RelayOnly());
        var offer = h.Send(h.Request(DhcpMessageType.Discover, Mac(1)), Eth0 with { LocalAddress = Ipv4Address.Broadcast })!;
        Assert.True(offer.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var id));
        Assert.Equal(Server, id);
    }

    [Fact]
    public void Direct_requests_never_reach_a_relay_only_network()
    {
        // It has no interface: an unrelayed DISCOVER on an interface without an attached network is dropped.
        var h = new EngineHarness(TestDhcpPolicy.RelayOnly());
        Assert.Null(h.Send(h.Request(DhcpMessageType.Discover, Mac(1)), Eth0 with { LocalAddress = BoxSeenByRelay }));
        Assert.Equal(DhcpDisposition.UnknownNetwork, h.Last.Disposition);
    }
}
