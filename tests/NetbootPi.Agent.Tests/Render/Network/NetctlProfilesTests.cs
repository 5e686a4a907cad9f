using NetbootPi.Agent.Render.Network;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Render.Network;

/// <summary>netctl profiles for each site, byte for byte against Golden/network/NAME.netctl, with the unit that starts each.</summary>
public class NetctlProfilesTests
{
    internal static string Joined(IEnumerable<NetctlProfile> profiles) =>
        string.Join("\n", profiles.Select(p => $"# ==> {p.Name} <== {p.Unit}\n{p.Content}"));

    [Theory]
    [MemberData(nameof(NetworkSites.Names), MemberType = typeof(NetworkSites))]
    public void Golden(string site) =>
        Support.Golden.Verify($"network/{site}.netctl", Joined(NetctlProfiles.Render(NetworkSites.Load(site))));

    [Theory]
    [MemberData(nameof(NetworkSites.Names), MemberType = typeof(NetworkSites))]
    public void One_profile_per_interface_networkd_configures(string site)
    {
        var s = NetworkSites.Load(site);
        var profiles = NetctlProfiles.Render(s);
        Assert.All(profiles, p => Assert.True(NetctlProfiles.IsOurs(p.Name), p.Name));
        Assert.Equal(profiles.Count, profiles.Select(p => p.Name).Distinct().Count());
        var networkd = NetworkdFiles.Render(s).Where(f => f.Name.EndsWith(".network", StringComparison.Ordinal))
            .Select(f => f.Name[NetworkdFiles.Prefix.Length..^".network".Length]);
        Assert.Equal(networkd, profiles.Select(p => p.Name[NetctlProfiles.Prefix.Length..]));
    }

    [Fact]
    public void The_example_site_as_netctl_profiles()
    {
        var profiles = NetctlProfiles.Render(NetworkSites.Load("netsoc")).ToDictionary(p => p.Name);
        Assert.Equal(["netbootpi-eth0", "netbootpi-eth0.69", "netbootpi-eth0.420"], profiles.Keys);
        Assert.Equal("netctl@netbootpi\\x2deth0.69.service", profiles["netbootpi-eth0.69"].Unit);
        var lan = profiles["netbootpi-eth0.69"].Content;
        Assert.Contains("Interface=eth0.69\nConnection=vlan\nBindsToInterfaces=('eth0')\nVLANID=69\nAfter=('netbootpi-eth0')\nIP=static\nAddress=('10.69.0.1/16')\n", lan);
        Assert.Contains("IP6=static\n", lan);
        Assert.Contains("ExecUpPost='sysctl -q -w net.ipv4.ip_forward=1'\n", lan);
        var wan = profiles["netbootpi-eth0.420"].Content;
        Assert.Contains("Gateway='134.226.83.1'\nDNS=('1.1.1.1' '8.8.8.8')\nDNSSearch='netsoc.internal'\n", wan);
        var eth0 = profiles["netbootpi-eth0"].Content;
        Assert.Contains("Interface=eth0\nConnection=ethernet\nIP=static\nAddress=('192.168.69.1/24')\n", eth0);
        Assert.Contains("ForceConnect=yes\n", eth0);
    }

    [Fact]
    public void A_trunk_without_an_untagged_network_is_an_ethernet_profile_without_ip()
    {
        var eth0 = NetctlProfiles.Render(NetworkSites.Load("trunks")).Single(p => p.Name == "netbootpi-eth0").Content;
        Assert.Contains("Connection=ethernet\nIP=no\nIP6=no\nSkipNoCarrier=yes\nForceConnect=yes\n", eth0);
    }

    [Fact]
    public void Names_with_dashes_and_at_signs_are_escaped_in_unit_names() => Assert.Equal(
        ["netctl@netbootpi\\x2dbr\\x2dlan.service", "netctl@netbootpi\\x2dlan\\x2dtrunk.service",
         "netctl@netbootpi\\x2dlan\\x2dtrunk.101.service", "netctl@netbootpi\\x2dlan\\x2dtrunk.102.service",
         "netctl@netbootpi\\x2dwan_0\\x40usb.service"],
        NetctlProfiles.Render(NetworkSites.Load("escaping")).Select(p => p.Unit));

    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("$(reboot) `x` \"q\"", "'$(reboot) `x` \"q\"'")]
    public void Values_are_single_quoted_for_bash(string value, string quoted) =>
        Assert.Equal(quoted, NetctlProfiles.Quote(value));
}
