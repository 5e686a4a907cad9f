using NetbootPi.Agent.Reports;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Site;

namespace NetbootPi.Agent.Tests.Reports;

/// <summary>
/// What a new site changes against the running one, as the web console's apply shows it before anything is written
/// (<c>POST /api/v1/site/diff</c>): hosts, networks, profiles and the NFS exports, each added, removed or changed,
/// and how.
/// </summary>
public class SiteChangesTests
{
    private static SiteInventory Site(string text) => SiteText.Load(text).Inventory ?? throw new Xunit.Sdk.XunitException(string.Join("\n", SiteText.Errors(text)));

    [Fact]
    public void The_same_site_with_its_lines_moved_changes_nothing()
    {
        var moved = SiteText.Minimal.Replace("hosts:\n", "hosts:\n  # a comment moves every host a line down\n", StringComparison.Ordinal);
        Assert.Empty(SiteChanges.Between(Site(SiteText.Minimal), Site(moved)));
    }

    [Fact]
    public void Hosts_networks_profiles_and_exports_each_say_what_changes()
    {
        var after = SiteText.Minimal
            .WithLine(9, "    dhcp: { mode: authoritative, range: 10.0.0.100-10.0.0.199, lease: 2h, router: 10.0.0.1, dns: [10.0.0.1] }")
            .WithLine(12, "  k: { kernel: k/vmlinuz-6.12, initrd: k/initrd.img, nfsroot: \"/srv/nfs/{name}\" }")
            .WithLine(15, "  c: { mac: 00:00:00:00:00:03, ip: 10.0.0.12 }")
            .WithLine(16, "  b: { mac: 00:00:00:00:00:02, ip: 10.0.0.21, profile: k }");
        var changes = SiteChanges.Between(Site(SiteText.Minimal), Site(after));
        Assert.Equal([("network", "lan", "changed"), ("profile", "k", "changed"), ("host", "c", "added"), ("host", "b", "changed"), ("host", "a", "removed"),
            ("exports", "netbootpi.exports", "changed")], changes.Select(c => (c.Kind, c.Name, c.Change)));

        Assert.Equal(["dhcp: dhcp authoritative, range 10.0.0.100-10.0.0.199 (100 addresses), lease 1h → dhcp authoritative, range 10.0.0.100-10.0.0.199 (100 addresses), lease 2h"],
            changes[0].Details);
        Assert.Equal(["is: kernel k/vmlinuz, initrd k/initrd.img, nfsroot /srv/nfs/{name} → kernel k/vmlinuz-6.12, initrd k/initrd.img, nfsroot /srv/nfs/{name}"], changes[1].Details);
        // In the new file's order: c now comes before b.
        var b = changes[3].Details;
        Assert.Contains("ip: 10.0.0.11 (static lease) → 10.0.0.21 (static lease)", b);
        Assert.Contains(b, d => d.StartsWith("profile: k: kernel k/vmlinuz, ", StringComparison.Ordinal) && d.Contains("→ k: kernel k/vmlinuz-6.12, ", StringComparison.Ordinal));
        // Its iPXE script: the lines it loses and gains, as the machine would fetch it.
        Assert.Contains(b, d => d.StartsWith("iPXE script -kernel ", StringComparison.Ordinal) && d.Contains("/k/vmlinuz ", StringComparison.Ordinal));
        Assert.Contains(b, d => d.StartsWith("iPXE script +kernel ", StringComparison.Ordinal) && d.Contains("/k/vmlinuz-6.12 ", StringComparison.Ordinal));
        Assert.Contains("mac: 00:00:00:00:00:03", changes[2].Details);
        Assert.Contains("ip: 10.0.0.12 (static lease)", changes[2].Details);
        Assert.Contains("mac: 00:00:00:00:00:01", changes[4].Details);
        // b's per-host NFS root follows its address.
        Assert.Contains(changes[5].Details, d => d.StartsWith("-/srv/nfs/b ", StringComparison.Ordinal) && d.Contains("10.0.0.11(", StringComparison.Ordinal));
        Assert.Contains(changes[5].Details, d => d.StartsWith("+/srv/nfs/b ", StringComparison.Ordinal) && d.Contains("10.0.0.21(", StringComparison.Ordinal));
    }

    [Fact]
    public void A_host_name_in_other_case_is_the_same_host()
    {
        var after = SiteText.Minimal.WithLine(15, "  A: { mac: 00:00:00:00:00:01, ip: 10.0.0.10 }");
        var changes = SiteChanges.Between(Site(SiteText.Minimal), Site(after));
        Assert.DoesNotContain(changes, c => c.Change is "added" or "removed");
    }
}
