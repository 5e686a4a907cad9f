using NetbootPi.Agent.Apply.Network;
using NetbootPi.Agent.Render.Network;

namespace NetbootPi.Agent.Tests.Render.Network;

/// <summary>
/// The tunnel read back from what each backend renders is the tunnel the site wants (what the applier's
/// <c>wg set</c> depends on), and the changes that keep a running tunnel are told from those that restart it.
/// </summary>
public class WireGuardTunnelTests
{
    private static string Flat(WireGuardTunnel t) =>
        $"{t.Interface} {t.ListenPort} {t.PrivateKeyFile} " + string.Join(" | ", t.Peers.Select(p => $"{p.PublicKey} {string.Join(',', p.AllowedIps)} {p.PresharedKeyFile} {p.Keepalive}"));

    [Fact]
    public void Both_backends_files_read_back_as_the_sites_tunnel()
    {
        var site = NetworkSites.Load("tunnel");
        var wanted = WireGuardTunnel.From(site, site.WireGuard!);
        Assert.Equal(2, wanted.Peers.Length); // bob-phone is disabled
        var netdev = NetworkdFiles.Render(site).Single(f => f.Name == "50-netbootpi-wg0.netdev").Content;
        var profile = NetctlProfiles.Render(site).Single(p => p.Name == "netbootpi-wg0").Content;
        Assert.Equal(Flat(wanted), Flat(WireGuardTunnel.Parse(netdev)!));
        Assert.Equal(Flat(wanted), Flat(WireGuardTunnel.Parse(profile)!));
        Assert.Null(WireGuardTunnel.Parse(NetctlProfiles.Render(site).First().Content));
        Assert.Null(WireGuardTunnel.Parse(NetworkdFiles.Render(site).First(f => f.Name.EndsWith(".netdev", StringComparison.Ordinal)).Content));
    }

    [Fact]
    public void A_running_tunnel_is_synced_only_when_it_differs_and_loses_the_peers_the_file_does_not_have()
    {
        var site = NetworkSites.Load("tunnel");
        var t = WireGuardTunnel.From(site, site.WireGuard!);
        var running = t.Peers.ToDictionary(p => p.PublicKey, p => p.AllowedIps);
        Assert.Null(t.SyncArguments(51820, running));
        running["hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="] = ["10.99.0.3/32"];
        var args = t.SyncArguments(51820, running)!;
        Assert.Equal(["peer", "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=", "remove"], args.TakeLast(3));
        Assert.Equal(t.SetArguments(), args.SkipLast(3));
        Assert.NotNull(t.SyncArguments(51821, t.Peers.ToDictionary(p => p.PublicKey, p => p.AllowedIps)));
        Assert.Equal(new Dictionary<string, System.Collections.Immutable.ImmutableArray<string>>
        {
            ["a"] = ["10.99.0.2/32", "192.168.5.0/24"],
            ["b"] = [],
        }, WireGuardTunnel.ParseAllowedIps("a\t10.99.0.2/32 192.168.5.0/24\nb\t(none)\n"));
    }

    [Fact]
    public void A_netctl_tunnel_whose_peers_alone_change_keeps_running()
    {
        var site = NetworkSites.Load("tunnel");
        var before = NetctlProfiles.Render(site).Single(p => p.Name == "netbootpi-wg0").Content;
        var text = NetworkSites.Tunnel;
        string Profile(string t) => NetctlProfiles.Render(Site.SiteText.Load(t).Inventory!).Single(p => p.Name == "netbootpi-wg0").Content;
        // bob-phone enabled: only the wg set and the description change.
        Assert.True(TunnelChanges.OnlyTunnelSettingsDiffer(before, Profile(text.Replace(", enabled: false", ""))));
        // A new network behind the branch: a route of the profile changes, which needs a restart.
        Assert.False(TunnelChanges.OnlyTunnelSettingsDiffer(before, Profile(text.Replace("192.168.51.0/24]", "192.168.51.0/24, 192.168.52.0/24]"))));
        Assert.False(TunnelChanges.OnlyTunnelSettingsDiffer(before, Profile(text.Replace("address: 10.99.0.1/24", "address: 10.99.0.1/25"))));
    }
}
