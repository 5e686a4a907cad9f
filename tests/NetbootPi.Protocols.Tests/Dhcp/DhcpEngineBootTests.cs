using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Options;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Net;
using static NetbootPi.Protocols.Tests.Dhcp.EngineHarness;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>How the engine applies the policy's boot decision, in authoritative and ProxyDHCP mode.</summary>
public class DhcpEngineBootTests
{
    private static DhcpMessage PxeDiscover(EngineHarness h, MacAddress mac, ushort arch, params byte[] prl)
    {
        var d = h.Request(DhcpMessageType.Discover, mac, prl);
        d.Options.Set(DhcpOptionCode.VendorClassIdentifier, "PXEClient:Arch:00007:UNDI:003016"u8);
        d.Options.Set(DhcpOptionCode.ClientSystemArchitecture, [(byte)(arch >> 8), (byte)arch]);
        d.Options.Set(DhcpOptionCode.ClientMachineIdentifier, [0, .. Enumerable.Range(1, 16).Select(i => (byte)i)]);
        return d;
    }

    [Fact]
    public void A_pxe_client_gets_file_next_server_and_the_pxeclient_echo()
    {
        var h = new EngineHarness();
        var offer = h.Send(PxeDiscover(h, Mac(1), ClientArchitecture.EfiBc, 1, 3, 66, 67))!;
        Assert.Equal("snponly.efi", offer.BootFileName);
        Assert.Equal(Server, offer.NextServerAddress);
        Assert.Equal("PXEClient"u8.ToArray(), offer.Options.Get(DhcpOptionCode.VendorClassIdentifier).ToArray());
        Assert.Equal("10.0.0.1", offer.Options.GetString(DhcpOptionCode.TftpServerName));
        // 67 was requested but the name is in the file field already.
        Assert.False(offer.Options.Contains(DhcpOptionCode.BootFileName));
    }

    [Fact]
    public void Always_options_are_sent_even_when_not_requested()
    {
        var h = new EngineHarness();
        var offer = h.Send(PxeDiscover(h, Mac(1), ClientArchitecture.X86Bios, 1, 3))!;
        Assert.Equal("undionly.kpxe", offer.BootFileName);
        Assert.True(offer.Options.Contains(DhcpOptionCode.VendorClassIdentifier));
        Assert.False(offer.Options.Contains(DhcpOptionCode.TftpServerName)); // optional and not requested
    }

    [Fact]
    public void Ipxe_gets_its_script_url_and_no_proxy_wait()
    {
        var h = new EngineHarness();
        var d = h.Request(DhcpMessageType.Discover, Mac(1), 1, 3, 6, 67, 175);
        d.Options.Set(DhcpOptionCode.UserClass, "iPXE"u8);
        var offer = h.Send(d)!;
        Assert.Equal("http://10.0.0.1/boot.ipxe", offer.BootFileName);
        Assert.Equal(IpxeOptions.NoPxeDhcpValue.ToArray(), offer.Options.Get(DhcpOptionCode.IpxeEncapsulated).ToArray());
    }

    [Fact]
    public void A_url_too_long_for_the_file_field_goes_in_option_67()
    {
        var h = new EngineHarness();
        var policy = new LongUrlPolicy(h.Policy);
        var engine = new DhcpEngine(policy, h.Journal, h.Time, []);
        var d = h.Request(DhcpMessageType.Discover, Mac(1));
        d.Options.Set(DhcpOptionCode.UserClass, "iPXE"u8);
        var buffer = new byte[1500];
        var result = engine.Handle(d, Eth0, buffer);
        var offer = new DhcpMessage();
        Assert.Equal(DhcpParseError.None, offer.Parse(buffer.AsSpan(0, result.Length)));
        Assert.Equal("", offer.BootFileName);
        Assert.Equal(policy.Url, offer.Options.GetString(DhcpOptionCode.BootFileName));
    }

    [Fact]
    public void A_host_without_boot_profile_gets_an_address_only()
    {
        var h = new EngineHarness();
        h.Policy.NoBoot.Add(Mac(1));
        var offer = h.Send(PxeDiscover(h, Mac(1), ClientArchitecture.EfiX64, 1, 3, 60, 66, 67))!;
        Assert.Equal("", offer.BootFileName);
        Assert.Equal(Ipv4Address.Any, offer.NextServerAddress);
        Assert.False(offer.Options.Contains(DhcpOptionCode.VendorClassIdentifier));
        Assert.NotEqual(Ipv4Address.Any, offer.YourAddress);
    }

    [Fact]
    public void Proxy_mode_ignores_clients_that_are_not_pxe()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan(mode: DhcpServerMode.Proxy));
        Assert.Null(h.Send(h.Request(DhcpMessageType.Discover, Mac(1))));
        Assert.Equal(DhcpDisposition.ProxyNotPxeClient, h.Last.Disposition);
    }

    [Fact]
    public void Proxy_mode_offers_boot_information_without_an_address_on_67()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan(mode: DhcpServerMode.Proxy));
        var offer = h.Send(PxeDiscover(h, Mac(1), ClientArchitecture.EfiBc))!;
        Assert.Equal(DhcpMessageType.Offer, offer.MessageType);
        Assert.Equal(Ipv4Address.Any, offer.YourAddress);
        Assert.Equal("snponly.efi", offer.BootFileName);
        Assert.Equal(Server, offer.NextServerAddress);
        Assert.False(offer.Options.Contains(DhcpOptionCode.LeaseTime));
        Assert.False(offer.Options.Contains(DhcpOptionCode.SubnetMask));
        Assert.Equal("PXEClient"u8.ToArray(), offer.Options.Get(DhcpOptionCode.VendorClassIdentifier).ToArray());
        Assert.Equal(new byte[] { 6, 1, 8, 255 }, offer.Options.Get(DhcpOptionCode.VendorSpecific).ToArray());
        Assert.Equal(17, offer.Options.Get(DhcpOptionCode.ClientMachineIdentifier).Length);
        Assert.Equal(DhcpRouteKind.Broadcast, h.Last.Route.Kind);
        Assert.Empty(h.Journal.Records);
    }

    [Fact]
    public void Proxy_mode_acks_the_boot_server_request_on_4011_to_its_source()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan(mode: DhcpServerMode.Proxy));
        var client = Ipv4Address.Parse("10.0.0.57");
        var req = PxeDiscover(h, Mac(1), ClientArchitecture.EfiX64);
        req.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Request);
        req.ClientAddress = client;
        var ctx = new DhcpReceiveContext("eth0", 4011, client, 4011);
        var ack = h.Send(req, ctx)!;
        Assert.Equal(DhcpMessageType.Ack, ack.MessageType);
        Assert.Equal(Ipv4Address.Any, ack.YourAddress);
        Assert.Equal(client, ack.ClientAddress);
        Assert.Equal("snponly.efi", ack.BootFileName);
        Assert.Equal(new DhcpReplyRoute(DhcpRouteKind.Source, client, 4011, "eth0", Mac(1)), h.Last.Route);
    }

    [Fact]
    public void Proxy_mode_leaves_requests_on_67_to_the_address_server()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan(mode: DhcpServerMode.Proxy));
        var req = PxeDiscover(h, Mac(1), ClientArchitecture.EfiX64);
        req.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Request);
        req.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, Ipv4Address.Parse("10.0.0.57"));
        Assert.Null(h.Send(req));
        Assert.Equal(DhcpDisposition.ProxyNothingToSay, h.Last.Disposition);
    }

    [Fact]
    public void Proxy_mode_is_silent_for_pxe_clients_without_a_boot_profile()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan(mode: DhcpServerMode.Proxy));
        h.Policy.NoBoot.Add(Mac(1));
        Assert.Null(h.Send(PxeDiscover(h, Mac(1), ClientArchitecture.EfiBc)));
        Assert.Equal(DhcpDisposition.ProxyNothingToSay, h.Last.Disposition);
    }

    [Fact]
    public void Port_4011_is_ignored_for_authoritative_networks()
    {
        var h = new EngineHarness();
        Assert.Null(h.Send(PxeDiscover(h, Mac(1), ClientArchitecture.EfiBc), new DhcpReceiveContext("eth0", 4011, Ipv4Address.Any, 68)));
        Assert.Equal(DhcpDisposition.NotProxyNetwork, h.Last.Disposition);
    }

    private sealed class LongUrlPolicy(TestDhcpPolicy inner) : IDhcpPolicy, IDhcpPolicySource
    {
        public IDhcpPolicy Current => this;
        public string Url { get; } = "http://10.0.0.1/" + new string('a', 150) + ".ipxe";
        public IReadOnlyList<DhcpNetwork> Networks => inner.Networks;
        public DhcpReservation? FindReservation(DhcpNetwork network, MacAddress mac) => null;
        public DhcpBootDecision DecideBoot(DhcpNetwork network, DhcpMessage request, Ipv4Address server) =>
            new() { BootFileName = Url, NextServer = server };
    }
}
