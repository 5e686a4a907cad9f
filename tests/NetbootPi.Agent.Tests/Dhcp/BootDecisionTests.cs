using System.Text;
using NetbootPi.Agent.Dhcp;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Tests.Dhcp;

/// <summary>The site's boot policy as the DHCP engine asks it, over the example site.</summary>
public class BootDecisionTests
{
    private static readonly SiteInventory Site = SiteText.Load(SiteText.Example).Inventory!;
    private static readonly SiteDhcpPolicy Policy = new(Site);
    private static DhcpNetwork Lan => Policy.Networks.Single(n => n.Name == "lan");

    /// <summary>The decision for a request on lan, answered from the box's address there (as the engine does).</summary>
    private static DhcpBootDecision Decide(DhcpMessage request) => Policy.DecideBoot(Lan, request, Lan.ServerAddress!.Value);

    private static DhcpMessage Request(string mac, Action<DhcpOptionSet>? options = null)
    {
        var m = new DhcpMessage { Operation = DhcpOperation.BootRequest, HardwareType = 1, HardwareAddressLength = 6 };
        MacAddress.Parse(mac).WriteTo(m.ClientHardwareAddressField);
        m.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Discover);
        options?.Invoke(m.Options);
        return m;
    }

    private static void Pxe(DhcpOptionSet o, ushort arch)
    {
        o.SetString(DhcpOptionCode.VendorClassIdentifier, $"PXEClient:Arch:{arch:D5}:UNDI:002001");
        o.SetUInt16(DhcpOptionCode.ClientSystemArchitecture, arch);
    }

    private static string Text(DhcpBootDecision d, DhcpOptionCode code) =>
        Encoding.ASCII.GetString(d.Options.Single(o => o.Code == code).Value);

    [Fact]
    public void Only_dhcp_networks_are_served_and_statics_box_and_router_are_reserved()
    {
        var lan = Assert.Single(Policy.Networks);
        Assert.Equal(("lan", "eth0.69", "10.69.0.1", "10.69.0.0/16"), (lan.Name, lan.InterfaceName, lan.ServerAddress.ToString(), lan.Subnet.ToString()));
        Assert.Equal(("10.69.10.1", "10.69.20.254"), (lan.RangeStart.ToString(), lan.RangeEnd.ToString()));
        Assert.Equal(TimeSpan.FromHours(12), lan.LeaseTime);
        Assert.Equal("netsoc.internal", lan.DomainName);
        Assert.Equal(
            ["10.69.0.1", "10.69.1.1", "10.69.1.2", "10.69.1.3", "10.69.1.4", "10.69.10.1", "10.69.10.3", "10.69.10.4"],
            lan.ReservedAddresses.Select(a => a.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Static_hosts_get_their_address_and_name()
    {
        var r = Policy.FindReservation(Lan, MacAddress.Parse("84:8f:69:e0:d4:17"));
        Assert.Equal(new DhcpReservation(Ipv4Address.Parse("10.69.10.1"), "napalm-idrac"), r);
        Assert.Null(Policy.FindReservation(Lan, MacAddress.Parse("52:54:00:00:00:01")));
    }

    [Theory]
    [InlineData((ushort)0, "undionly.kpxe")]
    [InlineData((ushort)6, "snponly.efi")]
    [InlineData((ushort)7, "snponly.efi")]
    [InlineData((ushort)9, "snponly.efi")]
    [InlineData((ushort)11, "arm64/snponly.efi")]
    public void Pxe_firmware_gets_the_loader_for_its_architecture(ushort arch, string loader)
    {
        var d = Decide(Request("84:8f:69:e0:d4:0f", o => Pxe(o, arch)));
        Assert.Equal(loader, d.BootFileName);
        Assert.Equal("10.69.0.1", d.NextServer.ToString());
        Assert.Equal("10.69.0.1", Text(d, DhcpOptionCode.TftpServerName));
        // OVMF treats "PXEClient" without PXE vendor options as a BINL offer and then waits for port 4011.
        Assert.DoesNotContain(d.Options, o => o.Code == DhcpOptionCode.VendorClassIdentifier);
    }

    [Fact]
    public void Uefi_http_boot_gets_a_url_and_httpclient()
    {
        var d = Decide(Request("84:8f:69:e0:d4:0f", o =>
        {
            o.SetString(DhcpOptionCode.VendorClassIdentifier, "HTTPClient:Arch:00016:UNDI:003001");
            o.SetUInt16(DhcpOptionCode.ClientSystemArchitecture, 16);
        }));
        Assert.Equal("http://10.69.0.1/loaders/snponly.efi", d.BootFileName);
        Assert.Equal("HTTPClient", Text(d, DhcpOptionCode.VendorClassIdentifier));
    }

    [Fact]
    public void Ipxe_gets_its_script_never_the_loader_and_no_proxydhcp_wait()
    {
        var d = Decide(Request("84:8f:69:e0:d4:0f", o =>
        {
            Pxe(o, 0);
            o.Set(DhcpOptionCode.IpxeEncapsulated, [1, 1, 1]); // 175: iPXE's feature list
        }));
        Assert.Equal("http://10.69.0.1/boot/84:8f:69:e0:d4:0f.ipxe", d.BootFileName);
        var nopxe = d.Options.Single(o => o.Code == DhcpOptionCode.IpxeEncapsulated);
        Assert.Equal(new byte[] { 176, 1, 1 }, nopxe.Value);
        Assert.True(nopxe.Always);
    }

    [Fact]
    public void Ipxe_is_also_known_by_its_user_class()
    {
        var d = Decide(Request("52:54:00:00:00:01", o => o.SetString(DhcpOptionCode.UserClass, "iPXE")));
        Assert.Equal("http://10.69.0.1/boot/52:54:00:00:00:01.ipxe", d.BootFileName);
    }

    [Fact]
    public void Management_controllers_get_no_boot_offer()
    {
        var d = Decide(Request("50:65:f3:69:b4:dc", o => Pxe(o, 0)));
        Assert.False(d.Boots);
    }

    [Fact]
    public void An_ordinary_dhcp_client_gets_no_boot_offer() =>
        Assert.False(Decide(Request("84:8f:69:e0:d4:0f")).Boots);

    [Fact]
    public void A_raspberry_pi_gets_the_pi_boot_vendor_option_and_a_tftp_server()
    {
        var d = Decide(Request("dc:a6:32:01:02:03", o => Pxe(o, 0)));
        Assert.Equal("10.69.0.1", Text(d, DhcpOptionCode.TftpServerName));
        var vendor = d.Options.Single(o => o.Code == DhcpOptionCode.VendorSpecific).Value;
        Assert.Equal(
            new byte[] { 6, 1, 3, 10, 4, 0, (byte)'P', (byte)'X', (byte)'E', 9, 20, 0, 0, 17 }
                .Concat("Raspberry Pi Boot"u8.ToArray()).Append((byte)255),
            vendor);
    }

    [Fact]
    public void A_raspberry_pi_4_is_known_by_option_97_whatever_its_mac()
    {
        var d = Decide(Request("02:11:22:33:44:55", o =>
        {
            o.SetString(DhcpOptionCode.VendorClassIdentifier, "PXEClient:Arch:00000:UNDI:002001");
            o.Set(DhcpOptionCode.ClientMachineIdentifier, [0, .. "RPi4"u8.ToArray(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        }));
        Assert.Contains(d.Options, o => o.Code == DhcpOptionCode.VendorSpecific);
    }

    [Fact]
    public void A_reload_changes_the_policy_of_the_next_request_not_of_one_in_flight()
    {
        var path = Path.Combine(Path.GetTempPath(), $"netbootpi-{Guid.NewGuid():N}.yaml");
        try
        {
            File.WriteAllText(path, SiteText.Minimal);
            var state = new SiteState(path, SiteFile.Load(path).Inventory!);
            var policies = new SiteDhcpPolicies(state);
            var inFlight = policies.Current;
            Assert.Same(inFlight, policies.Current); // derived once per snapshot
            File.WriteAllText(path, SiteText.Minimal.Replace("10.0.0.100-10.0.0.199", "10.0.0.50-10.0.0.60"));
            state.Reload();
            Assert.Equal("10.0.0.50", policies.Current.Networks.Single().RangeStart.ToString());
            Assert.Equal("10.0.0.100", inFlight.Networks.Single().RangeStart.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
