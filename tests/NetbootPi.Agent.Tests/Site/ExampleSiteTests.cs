using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Tests.Site;

/// <summary>examples/netsoc.yaml reproduces the seed boot server; every example host's derived values.</summary>
public class ExampleSiteTests
{
    private static SiteInventory Site()
    {
        var result = SiteText.Load(SiteText.Example);
        Assert.Empty(result.Errors);
        return result.Inventory!;
    }

    [Fact]
    public void Site_settings_and_networks_match_the_seed()
    {
        var s = Site();
        Assert.Equal("netsoc", s.Site.Name);
        Assert.Equal("netsoc.internal", s.Site.Domain);
        Assert.Equal(["1.1.1.1", "8.8.8.8"], s.Site.UpstreamDns.Select(a => a.ToString()));

        var lan = s.FindNetwork("lan")!;
        Assert.Equal(("eth0", 69, "eth0.69", "10.69.0.1/16"), (lan.ParentInterface, lan.Vlan, lan.Interface, lan.Address.ToString()));
        Assert.Equal(DhcpMode.Authoritative, lan.Dhcp.Mode);
        Assert.Equal("10.69.10.1-10.69.20.254", lan.Dhcp.Range.ToString());
        Assert.Equal(TimeSpan.FromHours(12), lan.Dhcp.LeaseTime);
        Assert.Equal("10.69.0.1", lan.Dhcp.Router.ToString());
        Assert.Equal(["10.69.0.1"], lan.Dhcp.Dns.Select(a => a.ToString()));

        var mgmt = s.FindNetwork("mgmt")!;
        Assert.Equal(("eth0", (int?)null, "192.168.69.1/24", DhcpMode.Off), (mgmt.Interface, mgmt.Vlan, mgmt.Address.ToString(), mgmt.Dhcp.Mode));
        var wan = s.FindNetwork("wan")!;
        Assert.Equal(("eth0.420", "134.226.83.42/24", "134.226.83.1"), (wan.Interface, wan.Address.ToString(), wan.Gateway.ToString()));

        var alpine = s.FindProfile("alpine")!;
        Assert.Equal(new AlpineRelease("http://dl-cdn.alpinelinux.org/alpine", "v3.13", "3.13.2", "lts", "x86_64"), alpine.Alpine);
        Assert.Equal(TimeSpan.FromSeconds(5), alpine.MenuTimeout);
        Assert.Equal("alpine", s.DefaultProfile);
    }

    public static TheoryData<string, string, string, string, string?> Hosts => new()
    {
        // name, mac, ip, profile, boot script (null: no boot offer)
        { "napalm", "84:8f:69:e0:d4:0f", "10.69.1.1", "alpine", "http://10.69.0.1/boot/84:8f:69:e0:d4:0f.ipxe" },
        { "napalm-idrac", "84:8f:69:e0:d4:17", "10.69.10.1", "none", null },
        { "spoon", "0c:9d:92:85:72:5b", "10.69.1.2", "alpine", "http://10.69.0.1/boot/0c:9d:92:85:72:5b.ipxe" },
        { "cube", "00:26:b9:50:af:4f", "10.69.1.3", "alpine", "http://10.69.0.1/boot/00:26:b9:50:af:4f.ipxe" },
        { "cube-idrac", "00:26:b9:50:af:51", "10.69.10.3", "none", null },
        { "gandalf", "40:a8:f0:30:3a:d4", "10.69.1.4", "alpine", "http://10.69.0.1/boot/40:a8:f0:30:3a:d4.ipxe" },
        { "gandalf-ilo", "50:65:f3:69:b4:dc", "10.69.10.4", "none", null },
    };

    [Theory]
    [MemberData(nameof(Hosts))]
    public void Every_example_host_derives_from_its_mac(string name, string mac, string ip, string profile, string? script)
    {
        var b = Site().Resolve(MacAddress.Parse(mac));
        Assert.True(b.IsKnown);
        Assert.Equal(name, b.Host!.Name);
        Assert.Equal("lan", b.Network!.Name);
        Assert.Equal(ip, b.StaticAddress.ToString());
        Assert.Equal($"{name}.netsoc.internal", b.Fqdn);
        Assert.Equal(profile, b.ProfileName);
        Assert.Equal(profile == "alpine", b.ProfileFromDefaults);
        Assert.Equal(script, b.BootScriptUrl);
        Assert.Equal(script is null ? null : $"http://10.69.0.1/apkovl/{mac}.tar.gz", b.OverlayUrl);
        Assert.Empty(b.NfsRoots);
        Assert.Equal(profile != "none", b.GetsBootOffer);
    }

    [Fact]
    public void An_unknown_mac_gets_the_default_profile_on_the_network_it_is_seen_on()
    {
        var s = Site();
        var mac = MacAddress.Parse("52:54:00:12:34:56");
        var unseen = s.Resolve(mac);
        Assert.False(unseen.IsKnown);
        Assert.Null(unseen.Network);
        Assert.Null(unseen.BootScriptUrl);

        var b = s.Resolve(mac, s.FindNetwork("lan"));
        Assert.Null(b.Fqdn);
        Assert.Null(b.StaticAddress);
        Assert.Equal("alpine", b.ProfileName);
        Assert.Equal("http://10.69.0.1/boot/52:54:00:12:34:56.ipxe", b.BootScriptUrl);
        Assert.Equal("http://10.69.0.1/apkovl/52:54:00:12:34:56.tar.gz", b.OverlayUrl);
    }

    [Fact]
    public void Nfs_root_expands_the_mac_and_a_non_default_port_shows_in_urls()
    {
        var text = SiteText.Minimal + "\nserver: { http_port: 8080 }";
        var s = SiteText.Load(text).Inventory!;
        var b = s.Resolve(MacAddress.Parse("00:00:00:00:00:02"));
        Assert.Equal(["/srv/nfs/b"], b.NfsRoots);
        Assert.Equal("http://10.0.0.1:8080/boot/00:00:00:00:00:02.ipxe", b.BootScriptUrl);
        Assert.Null(b.OverlayUrl); // a kernel profile uses no apkovl
        Assert.Equal("b.t.internal", b.Fqdn);
    }

    [Fact]
    public void Unknown_machines_get_no_boot_offer_when_the_default_is_none()
    {
        var s = SiteText.Load(SiteText.Minimal.WithLine(13, "defaults: { profile: none }")).Inventory!;
        var b = s.Resolve(MacAddress.Parse("02:00:00:00:00:99"), s.FindNetwork("lan"));
        Assert.False(b.GetsBootOffer);
        Assert.Null(b.BootScriptUrl);
        // A listed host without a profile falls back to the default too.
        Assert.False(s.Resolve(MacAddress.Parse("00:00:00:00:00:01")).GetsBootOffer);
    }
}
