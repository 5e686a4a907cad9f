using NetbootPi.Agent.Render.Nfs;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Render.Nfs;

/// <summary>The site's NFS roots as an exports file, byte for byte against Golden/nfs/, and the rules behind it.</summary>
public class NfsExportsTests
{
    private static SiteInventory Load(string text)
    {
        var result = SiteText.Load(text);
        Assert.Empty(result.Errors);
        return result.Inventory!;
    }

    [Fact]
    public void Example_site_exports_nothing_because_no_host_boots_its_nfs_profile()
    {
        var set = NfsExports.Render(Load(SiteText.Example));
        Golden.Verify("nfs/netsoc.exports", set.Text);
        Assert.Empty(set.Exports);
        Assert.Empty(set.Notices);
    }

    [Fact]
    public void Fleet_site() => Golden.Verify("nfs/fleet.exports", NfsExports.Render(Load(NfsSites.Fleet)).Text);

    [Fact]
    public void A_per_host_root_is_the_expanded_path_read_write_to_that_hosts_address_only()
    {
        var set = NfsExports.Render(Load(NfsSites.Fleet));
        var nuc1 = Assert.Single(set.Exports, e => e.Path == "/srv/nfsroots/84-8f-69-e0-d4-0f");
        var client = Assert.Single(nuc1.Clients);
        Assert.Equal(("10.69.1.1", false), (client.Client, client.ReadOnly));
        Assert.Contains($"/srv/nfsroots/84-8f-69-e0-d4-0f 10.69.1.1(rw,sync,no_subtree_check,no_root_squash,fsid={nuc1.Fsid})\n", set.Text);
        // {name} expands to the host's name; a menu's per-host item is exported to the host that has the menu.
        Assert.Equal("10.70.0.5", Assert.Single(Assert.Single(set.Exports, e => e.Path == "/srv/nfsroots/build").Clients).Client);
        Assert.Equal("10.69.1.9", Assert.Single(Assert.Single(set.Exports, e => e.Path == "/srv/nfsroots/00-26-b9-50-af-4f").Clients).Client);
        // Nothing else: one export per per-host root and the shared one; no host, network or wildcard gets more.
        Assert.Equal(["/srv/nfsroots/00-26-b9-50-af-4f", "/srv/nfsroots/84-8f-69-e0-d4-0f", "/srv/nfsroots/84-8f-69-e0-d4-10",
            "/srv/nfsroots/build", "/srv/nfsroots/kiosk"], set.Exports.Select(e => e.Path));
        Assert.DoesNotContain("*", set.Text);
    }

    [Fact]
    public void A_host_without_an_address_gets_no_export_and_a_located_warning()
    {
        var set = NfsExports.Render(Load(NfsSites.Fleet));
        Assert.DoesNotContain(set.Exports, e => e.Path.Contains("84-8f-69-e0-d4-11", StringComparison.Ordinal));
        Assert.DoesNotContain("84-8f-69-e0-d4-11", set.Text);
        var notice = Assert.Single(set.Notices);
        Assert.Equal("t.yaml:16:3: hosts.nuc3: warning: boots profile own, whose NFS root /srv/nfsroots/84-8f-69-e0-d4-11 is exported only to a host's " +
            "static address, and has no ip: nothing is exported for it, so mounting its root is refused (expected ip: ADDRESS)", notice.ToString());
    }

    [Fact]
    public void A_shared_root_is_read_only_to_the_networks_that_boot_it()
    {
        // kiosk is the default: every network the box answers DHCP on (lan, lab), never mgmt, where it answers none.
        var kiosk = Assert.Single(NfsExports.Render(Load(NfsSites.Fleet)).Exports, e => e.Path == "/srv/nfsroots/kiosk");
        Assert.Equal([("10.69.0.0/16", true), ("10.70.0.0/24", true)], kiosk.Clients.Select(c => (c.Client, c.ReadOnly)));

        // Not the default, booted by one host with an address on lab: lab only.
        var one = NfsSites.Fleet.Replace("defaults: { profile: kiosk }", "defaults: { profile: none }", StringComparison.Ordinal)
            .Replace("profile: named }", "profile: kiosk }", StringComparison.Ordinal).Replace("profile: choose }", "profile: disk }", StringComparison.Ordinal);
        kiosk = Assert.Single(NfsExports.Render(Load(one)).Exports, e => e.Path == "/srv/nfsroots/kiosk");
        Assert.Equal("10.70.0.0/24", Assert.Single(kiosk.Clients).Client);
        Assert.Contains($"/srv/nfsroots/kiosk 10.70.0.0/24(ro,sync,no_subtree_check,no_root_squash,fsid={kiosk.Fsid})\n", NfsExports.Render(Load(one)).Text);

        // Booted by nobody: not exported at all.
        var none = one.Replace("profile: kiosk }", "profile: disk }", StringComparison.Ordinal);
        Assert.DoesNotContain(NfsExports.Render(Load(none)).Exports, e => e.Path == "/srv/nfsroots/kiosk");
    }

    [Fact]
    public void A_per_host_default_profile_is_a_warning_at_the_profile()
    {
        var site = NfsSites.Fleet.Replace("defaults: { profile: kiosk }", "defaults: { profile: own }", StringComparison.Ordinal);
        var notices = NfsExports.Render(Load(site)).Notices.Select(n => n.ToString()).ToList();
        Assert.Contains(notices, n => n.StartsWith("t.yaml:7:11: profiles.own.nfsroot: warning: machines not in the site file boot profile own (defaults.profile)", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_hosts_writing_one_tree_is_a_warning_and_both_are_listed()
    {
        var site = NfsSites.Fleet.Replace("nfsroot: \"/srv/nfsroots/{mac}\"", "nfsroot: /srv/nfsroots/one", StringComparison.Ordinal);
        var set = NfsExports.Render(Load(site));
        var one = Assert.Single(set.Exports, e => e.Path == "/srv/nfsroots/one");
        Assert.Equal(["10.69.1.1", "10.69.1.2", "10.69.1.9"], one.Clients.Select(c => c.Client));
        Assert.Contains(set.Notices, n => n.ToString().StartsWith("t.yaml:15:3: hosts.nuc2: warning: shares the read-write NFS root /srv/nfsroots/one with host nuc1 at line 14", StringComparison.Ordinal));
    }

    [Fact]
    public void The_fsid_is_a_uuid_that_depends_on_the_path_alone()
    {
        var a = NfsExports.Fsid("/srv/nfsroots/84-8f-69-e0-d4-0f");
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", a);
        Assert.Equal(a, NfsExports.Fsid("/srv/nfsroots/84-8f-69-e0-d4-0f"));
        Assert.NotEqual(a, NfsExports.Fsid("/srv/nfsroots/84-8f-69-e0-d4-10"));
        // The same path keeps its fsid whatever else the site says (mounted clients' file handles stay valid).
        var fleet = NfsExports.Render(Load(NfsSites.Fleet)).Exports.Single(e => e.Path == "/srv/nfsroots/84-8f-69-e0-d4-0f");
        var edited = NfsExports.Render(Load(NfsSites.Fleet.Replace("  nuc2:", "  nuc0: { mac: 02:00:00:00:00:01, ip: 10.69.1.50, profile: own }\n  nuc2:", StringComparison.Ordinal)))
            .Exports.Single(e => e.Path == "/srv/nfsroots/84-8f-69-e0-d4-0f");
        Assert.Equal(fleet.Fsid, edited.Fsid);
    }

    [Theory]
    [InlineData("nfsroot_mode: shared_ro", "t.yaml:12:91: profiles.k.nfsroot_mode: unknown mode 'shared_ro' (did you mean 'shared-ro'? expected per-host or shared-ro)")]
    [InlineData("nfsroot: \"/srv/{mac}\", nfsroot_mode: shared-ro",
        "t.yaml:12:58: profiles.k.nfsroot: '/srv/{mac}' has a placeholder, but a shared-ro root is one directory for every machine (expected a path without {mac} or {name})")]
    [InlineData("nfsroot: \"/srv/my root\"",
        "t.yaml:12:58: profiles.k.nfsroot: '/srv/my root' has characters an exports file cannot hold as they are (expected letters, digits and / . _ - + besides the placeholders)")]
    public void The_site_reader_locates_nfs_root_mistakes(string replacement, string error)
    {
        var line = "  k: { kernel: k/vmlinuz, initrd: k/initrd.img, nfsroot: \"/srv/nfs/{name}\" }";
        var changed = replacement.StartsWith("nfsroot:", StringComparison.Ordinal)
            ? line.Replace("nfsroot: \"/srv/nfs/{name}\"", replacement, StringComparison.Ordinal)
            : line.Replace(" }", ", " + replacement + " }", StringComparison.Ordinal);
        Assert.Equal([error], SiteText.Errors(SiteText.Minimal.WithLine(12, changed)));
    }

    [Fact]
    public void A_mode_without_a_root_or_on_another_kind_is_an_error()
    {
        Assert.Equal(["t.yaml:12:41: profiles.k.nfsroot_mode: a mode for an NFS root this profile does not have (expected nfsroot: PATH beside it)"],
            SiteText.Errors(SiteText.Minimal.WithLine(12, "  k: { kernel: k/vmlinuz, nfsroot_mode: shared-ro }")));
        Assert.Equal(["t.yaml:11:35: profiles.p.nfsroot_mode: only a kernel profile takes nfsroot_mode (this profile is local)"],
            SiteText.Errors(SiteText.Minimal.WithLine(11, "  p: { local: true, nfsroot_mode: shared-ro }")));
    }
}
