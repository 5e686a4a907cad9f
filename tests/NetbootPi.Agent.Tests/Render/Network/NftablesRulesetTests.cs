using NetbootPi.Agent.Render.Network;
using NetbootPi.Agent.Tests.Render.Nfs;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Render.Network;

/// <summary>The firewall of each site as one nftables table, byte for byte against Golden/network/NAME.nft, and the rules it keeps.</summary>
public class NftablesRulesetTests
{
    [Theory]
    [MemberData(nameof(NetworkSites.Names), MemberType = typeof(NetworkSites))]
    public void Golden(string site) =>
        Support.Golden.Verify($"network/{site}.nft", NftablesRuleset.Render(NetworkSites.Load(site)));

    private static string[] Lines(string site) => NftablesRuleset.Render(NetworkSites.Load(site)).Split('\n');

    [Theory]
    [MemberData(nameof(NetworkSites.Names), MemberType = typeof(NetworkSites))]
    public void It_replaces_only_our_table(string site)
    {
        var text = NftablesRuleset.Render(NetworkSites.Load(site));
        Assert.Contains("\ntable inet netbootpi\ndelete table inet netbootpi\n\ntable inet netbootpi {\n", text);
        Assert.EndsWith("\n}\n", text);
        // No flush ruleset, no other table: everyone else's rules stay.
        Assert.DoesNotContain("flush", text);
        Assert.Equal(3, text.Split('\n').Count(l => l.StartsWith("table ", StringComparison.Ordinal) || l.StartsWith("delete ", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_example_site_answers_by_role_and_masquerades_lan_out_of_wan()
    {
        var lines = Lines("netsoc");
        Assert.Contains("\t\tiifname \"eth0.69\" udp dport 67 accept", lines);
        Assert.Contains("\t\tiifname \"eth0.69\" udp dport 69 accept", lines);
        Assert.Contains("\t\tiifname \"eth0.69\" tcp dport 80 accept", lines);
        Assert.Contains("\t\tiifname \"eth0\" tcp dport 22 accept", lines);
        // SSH and the control API (HTTPS and its redirect) on the management network only; nothing answers on the WAN.
        Assert.Single(lines, l => l.Contains("dport 22", StringComparison.Ordinal));
        Assert.Contains("\t\tiifname \"eth0\" tcp dport { 443, 8080 } accept", lines);
        Assert.Single(lines, l => l.Contains("443", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("iifname \"eth0.420\"", StringComparison.Ordinal));
        Assert.Contains("\t\tiifname \"eth0.69\" oifname \"eth0.420\" accept", lines);
        Assert.Contains("\t\toifname \"eth0.420\" ip saddr 10.69.0.0/16 masquerade", lines);
        Assert.Contains("\t\ttype filter hook input priority filter; policy drop;", lines);
        Assert.Contains("\t\ttype filter hook forward priority filter; policy drop;", lines);
    }

    [Fact]
    public void Relayed_subnets_reach_tftp_and_http_on_the_boot_and_management_interfaces()
    {
        var lines = Lines("relayed");
        Assert.Contains("\t\tiifname { \"eth0\", \"eth0.5\" } ip saddr 10.70.0.0/16 udp dport 69 accept", lines);
        Assert.Contains("\t\tiifname { \"eth0\", \"eth0.5\" } ip saddr 10.71.0.0/24 tcp dport 80 accept", lines);
        // Relays forward DHCP to the box's address on either network.
        Assert.Contains("\t\tiifname \"eth0\" udp dport 67 accept", lines);
        Assert.Contains("\t\tiifname \"eth0.5\" udp dport 67 accept", lines);
        Assert.DoesNotContain(lines, l => l.Contains("masquerade", StringComparison.Ordinal));
    }

    [Fact]
    public void Allow_forward_and_masquerade_as_the_firewall_says()
    {
        var lines = Lines("firewall");
        // allow replaces the role's defaults: http on the management network at the site's port, ssh on lab, ping on the wan.
        Assert.Contains("\t\tiifname \"eth0\" tcp dport 8080 accept", lines);
        // Without api in its allow list the management network keeps the API's ports shut.
        Assert.DoesNotContain(lines, l => l.Contains("443", StringComparison.Ordinal));
        Assert.Contains("\t\tiifname \"eth1\" tcp dport 22 accept", lines);
        Assert.Contains("\t\tiifname \"eth0.420\" icmp type echo-request accept", lines);
        Assert.Contains("\t\t# quiet (boot) on eth1.9: nothing answers", lines);
        Assert.DoesNotContain(lines, l => l.Contains("iifname \"eth1.9\"", StringComparison.Ordinal));
        // ProxyDHCP's second port on the proxy network only.
        Assert.Contains("\t\tiifname \"eth0.70\" udp dport { 67, 4011 } accept", lines);
        Assert.Contains("\t\tiifname \"eth0.69\" udp dport 67 accept", lines);
        // Both ways between mgmt and lab; mgmt to wan named once though also masqueraded.
        Assert.Contains("\t\tiifname \"eth0\" oifname \"eth1\" accept", lines);
        Assert.Contains("\t\tiifname \"eth1\" oifname \"eth0\" accept", lines);
        Assert.Single(lines, l => l == "\t\tiifname \"eth0\" oifname \"eth0.420\" accept");
        Assert.Contains("\t\toifname \"eth0.420\" ip saddr 192.168.69.0/24 masquerade", lines);
        Assert.Contains("\t\toifname \"eth0.420\" ip saddr 10.69.0.0/16 masquerade", lines);
    }

    [Fact]
    public void Without_masquerade_there_is_no_nat_chain() =>
        Assert.DoesNotContain(Lines("flat"), l => l.Contains("nat", StringComparison.Ordinal));

    private static string[] NfsLines(string site)
    {
        var r = SiteText.Load(site);
        Assert.Empty(r.Errors);
        return NftablesRuleset.Render(r.Inventory!).Split('\n').Where(l => l.Contains("111, 2049, 20048", StringComparison.Ordinal)).ToArray();
    }

    [Fact]
    public void Nfs_answers_each_per_host_root_s_own_address_on_its_network_and_no_one_else()
    {
        // Not the shared kiosk root for every machine: only the hosts with per-host roots (nuc3 has no address).
        var lines = NfsLines(NfsSites.Fleet.Replace("defaults: { profile: kiosk }", "defaults: { profile: disk }", StringComparison.Ordinal)
            .Replace("choose: { menu: [own, kiosk] }", "choose: { menu: [own, disk] }", StringComparison.Ordinal));
        Assert.Equal([
            "\t\t# NFS (rpcbind, nfsd, mountd: 111, 2049, 20048) from the exports' clients only",
            "\t\tiifname \"eth0\" ip saddr { 10.69.1.1, 10.69.1.2, 10.69.1.9 } tcp dport { 111, 2049, 20048 } accept",
            "\t\tiifname \"eth0\" ip saddr { 10.69.1.1, 10.69.1.2, 10.69.1.9 } udp dport { 111, 2049, 20048 } accept",
            "\t\tiifname \"eth1\" ip saddr 10.70.0.5 tcp dport { 111, 2049, 20048 } accept",
            "\t\tiifname \"eth1\" ip saddr 10.70.0.5 udp dport { 111, 2049, 20048 } accept",
        ], lines);
    }

    [Fact]
    public void A_shared_root_for_every_machine_opens_nfs_to_the_networks_that_boot_and_its_addresses_fold_into_them()
    {
        var lines = NfsLines(NfsSites.Fleet);
        Assert.Contains("\t\tiifname \"eth0\" ip saddr 10.69.0.0/16 tcp dport { 111, 2049, 20048 } accept", lines);
        Assert.Contains("\t\tiifname \"eth1\" ip saddr 10.70.0.0/24 udp dport { 111, 2049, 20048 } accept", lines);
        Assert.Equal(5, lines.Length);
        // The management network boots nothing over NFS: nothing opened there.
        Assert.DoesNotContain(lines, l => l.Contains("eth2", StringComparison.Ordinal));
    }

    [Fact]
    public void A_site_without_nfs_roots_opens_no_nfs_port() =>
        Assert.Empty(NfsLines(SiteText.Example));
}
