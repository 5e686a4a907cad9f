using NetbootPi.Agent.Render.Network;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Render.Network;

/// <summary>systemd-networkd files for each site, byte for byte against Golden/network/NAME.networkd, and the rules they keep.</summary>
public class NetworkdFilesTests
{
    /// <summary>All files of a site in one text, each under a header naming it (as <c>head</c> prints several files).</summary>
    internal static string Joined(IEnumerable<NetworkFile> files) =>
        string.Join("\n", files.Select(f => $"# ==> {f.Name} <==\n{f.Content}"));

    [Theory]
    [MemberData(nameof(NetworkSites.Names), MemberType = typeof(NetworkSites))]
    public void Golden(string site) =>
        Support.Golden.Verify($"network/{site}.networkd", Joined(NetworkdFiles.Render(NetworkSites.Load(site))));

    [Theory]
    [MemberData(nameof(NetworkSites.Names), MemberType = typeof(NetworkSites))]
    public void Every_file_is_ours_by_name_and_named_once(string site)
    {
        var files = NetworkdFiles.Render(NetworkSites.Load(site));
        Assert.All(files, f => Assert.True(NetworkdFiles.IsOurs(f.Name), f.Name));
        Assert.Equal(files.Count, files.Select(f => f.Name).Distinct().Count());
        Assert.All(files, f => Assert.DoesNotContain('/', f.Name));
    }

    [Fact]
    public void Files_we_did_not_write_are_not_ours()
    {
        foreach (var name in new[] { "10-eth0.network", "50-netbootpi.network", "99-default.link", "50-netbootpi-eth0.link", "50-netbootpi-eth0.network~", "eth0.network" })
            Assert.False(NetworkdFiles.IsOurs(name), name);
    }

    [Fact]
    public void The_example_site_makes_its_two_vlans_on_eth0_and_puts_each_address_on_its_own_link()
    {
        var files = NetworkdFiles.Render(NetworkSites.Load("netsoc")).ToDictionary(f => f.Name, f => f.Content);
        Assert.Equal(["50-netbootpi-eth0.network", "50-netbootpi-eth0.69.netdev", "50-netbootpi-eth0.69.network",
            "50-netbootpi-eth0.420.netdev", "50-netbootpi-eth0.420.network"], files.Keys);
        Assert.Contains("[NetDev]\nName=eth0.69\nKind=vlan\n\n[VLAN]\nId=69\n", files["50-netbootpi-eth0.69.netdev"]);
        var parent = files["50-netbootpi-eth0.network"];
        Assert.Contains("[Match]\nName=eth0\n\n[Network]\nVLAN=eth0.69\nVLAN=eth0.420\nAddress=192.168.69.1/24\n", parent);
        // The site's domain on the management network; upstream DNS and the gateway on the way out.
        Assert.Contains("Domains=netsoc.internal\n", parent);
        var wan = files["50-netbootpi-eth0.420.network"];
        Assert.Contains("Address=134.226.83.42/24\nGateway=134.226.83.1\nDNS=1.1.1.1\nDNS=8.8.8.8\n", wan);
        Assert.DoesNotContain("Domains=", wan);
        // lan boots machines (no RAs taken there) and is masqueraded out of wan: both forward.
        var lan = files["50-netbootpi-eth0.69.network"];
        Assert.Contains("IPv6AcceptRA=no\n", lan);
        Assert.Contains("IPForward=ipv4\n", lan);
        Assert.Contains("IPForward=ipv4\n", wan);
        Assert.DoesNotContain("IPForward", parent);
        Assert.All(files.Where(f => f.Key.EndsWith(".network", StringComparison.Ordinal)), f => Assert.Contains("ConfigureWithoutCarrier=yes\n", f.Value));
    }

    [Fact]
    public void A_trunk_without_an_untagged_network_has_no_address_and_its_vlans_come_by_id()
    {
        var files = NetworkdFiles.Render(NetworkSites.Load("trunks"));
        var eth0 = files.Single(f => f.Name == "50-netbootpi-eth0.network").Content;
        Assert.Contains("VLAN=eth0.10\nVLAN=eth0.20\nVLAN=eth0.30\nLinkLocalAddressing=no\n", eth0);
        Assert.DoesNotContain("Address=", eth0);
        Assert.Equal(["eth0", "eth0.10", "eth0.20", "eth0.30", "eth1", "eth1.4094"],
            files.Where(f => f.Name.EndsWith(".network", StringComparison.Ordinal)).Select(f => f.Name[NetworkdFiles.Prefix.Length..^".network".Length]));
    }

    [Fact]
    public void Relayed_networks_produce_nothing()
    {
        var site = NetworkSites.Load("relayed");
        var text = Joined(NetworkdFiles.Render(site));
        Assert.DoesNotContain("lab2", text);
        Assert.DoesNotContain("10.70.", text);
        Assert.Equal(3, NetworkdFiles.Render(site).Count); // eth0, eth0.5 netdev and network
    }
}
