using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Render.Install;

namespace NetbootPi.Agent.Tests.Site;

/// <summary>
/// <c>profiles.NAME.install</c> and its templates: every mistake reported where it is written (the site file, or the
/// template's own file for what is wrong inside a template), with what was expected.
/// </summary>
public sealed class InstallSectionTests : IDisposable
{
    private readonly InstallSite _site = new();
    private readonly string _original;

    public InstallSectionTests() => _original = File.ReadAllText(_site.SitePath);

    /// <summary>The errors of the site with one change (and one template replaced), each call from the site as it was.</summary>
    private string[] ErrorsWith(string from, string to, string? template = null, string? templateText = null)
    {
        foreach (var (name, content) in InstallSite.Templates) File.WriteAllText(Path.Combine(_site.Dir, name), content);
        var text = _original;
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(_site.SitePath, text.Replace(from, to, StringComparison.Ordinal));
        if (template is not null) File.WriteAllText(Path.Combine(_site.Dir, template), templateText);
        return _site.Load().Errors.Select(e => e.ToString().Replace(_site.Dir + "/", "", StringComparison.Ordinal)).ToArray();
    }

    [Fact]
    public void The_site_with_every_kind_is_valid_and_each_host_has_its_install()
    {
        var site = _site.Inventory();
        Assert.Equal([("deb", InstallKind.Preseed), ("ubu", InstallKind.Autoinstall), ("flat", InstallKind.Ignition), ("fed", InstallKind.Kickstart), ("nfs", InstallKind.NoCloud)],
            site.Hosts.Select(h => (h.Name, site.Resolve(h.Mac).Profile!.Install!.Kind)));
        var flat = site.FindProfile("flatcar-install")!.Install!;
        Assert.Equal(("core", "Europe/Dublin", "disk", "/dev/sda"), (flat.User, flat.TimeZone, flat.Then, flat.Disk));
        Assert.Null(site.FindProfile("cloud")!.Install!.Disk);
    }

    [Fact]
    public void An_installer_the_box_does_not_know_is_named_with_the_nearest()
    {
        Assert.Equal(["site.yaml:32:22: profiles.flatcar-install.install.kind: unknown installer 'ignitoin' (did you mean 'ignition'? expected one of: preseed, autoinstall, nocloud, kickstart, ignition)"],
            ErrorsWith("kind: ignition", "kind: ignitoin"));
    }

    [Fact]
    public void A_template_that_does_not_render_is_an_error_in_the_template_at_its_line()
    {
        Assert.Equal([
                "debian.preseed:2:9: profiles.debian-install.install.template: unknown name 'host.nmae' (did you mean 'host.name'? expected one of: host.name, host.fqdn, host.mac, host.ip, host.prefix, host.netmask, host.gateway, host.dns, site.name, site.domain, box.url, install.disk, install.timezone, install.user, install.done_url)",
                "debian.preseed:3:5: profiles.debian-install.install.template: '{{' is not closed by '}}' on the same line (expected {{ NAME }}, or {{ \"{{\" }} for the text itself)",
            ],
            ErrorsWith("x", "x", "debian.preseed", "# {{ \"{{\" }} is text\nd-i a/b {{ host.nmae }} string\nd-i {{ host.name\n}}\n"));
        // A name a host has no value for: the DHCP host fed has no host.ip.
        Assert.Equal(["site.yaml:48:3: hosts.fed: profile fedora-install's template uses {{ host.ip }} at fedora.ks:1:6, which host fed has no value for (it has no static address: give it ip: ADDRESS, or leave the name out)"],
            ErrorsWith("x", "x", "fedora.ks", "echo {{ host.ip }}\n"));
    }

    [Fact]
    public void A_template_file_that_is_missing_or_outside_is_refused()
    {
        var errors = ErrorsWith("template: fedora.ks", "template: ../fedora.ks");
        Assert.Equal(["site.yaml:37:129: profiles.fedora-install.install.template: '../fedora.ks' is not a file beside the site file (expected a relative path without '..', like debian.preseed)"], errors);
        File.Delete(Path.Combine(_site.Dir, "cloud.yaml"));
        Assert.Contains(_site.Load().Errors, e => e.KeyPath == "profiles.cloud.install.template" && e.Message.StartsWith("cannot read ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_disk_layout_must_name_a_disk()
    {
        Assert.Equal(["site.yaml:37:51: profiles.fedora-install.install.disk: 'vda' names no disk (expected a device path like /dev/sda, /dev/nvme0n1 or /dev/disk/by-id/NAME)"],
            ErrorsWith("disk: /dev/vda", "disk: vda"));
        Assert.Equal(["site.yaml:37:14: profiles.fedora-install.install.disk: a kickstart install writes a disk, and this one names none (expected disk: /dev/sda or the like)"],
            ErrorsWith("disk: /dev/vda, ", ""));
    }

    [Fact]
    public void A_password_is_refused_unless_it_is_a_crypt_hash_and_never_repeated()
    {
        var errors = ErrorsWith("password_hash: 'HASH'".Replace("HASH", InstallSite.Hash, StringComparison.Ordinal) + "\n      template", "password_hash: hunter2\n      template");
        Assert.Equal(["site.yaml:21:22: profiles.debian-install.install.password_hash: not a crypt(3) hash: the site holds passwords only as hashes (expected $6$SALT$HASH or $y$... as 'mkpasswd -m sha-512' or 'mkpasswd -m yescrypt' prints; the value is not shown here)"], errors);
        Assert.DoesNotContain("hunter2", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Then_names_a_profile_that_installs_nothing()
    {
        Assert.Equal(["site.yaml:37:39: profiles.fedora-install.install.then: 'cloud' installs too (expected the profile its hosts boot once installed, normally local: true)"],
            ErrorsWith("kind: kickstart, then: disk", "kind: kickstart, then: cloud"));
    }

    [Fact]
    public void What_a_format_cannot_hold_is_refused_where_it_is_written()
    {
        // Ignition is JSON without packages; a preseed cannot give the installer an address the box's DHCP does not.
        Assert.Equal([
                "site.yaml:32:54: profiles.flatcar-install.install.packages: Ignition installs no packages (Flatcar and Fedora CoreOS are images; remove packages, or use a systemd unit in the template of another kind)",
            ],
            ErrorsWith("kind: ignition, then: disk,", "kind: ignition, then: disk, packages: [vim],"));
        // (the nfs host's template loses its router and DNS servers too: errors of their own)
        Assert.Contains("site.yaml:45:38: hosts.deb.ip: a preseed cannot give the installer its address 10.0.0.11: debian-installer takes one by DHCP before it reads the preseed, and network lan gets none from the box (dhcp mode proxy; expected dhcp: { mode: authoritative } there, or kickstart or autoinstall, which carry the address)",
            ErrorsWith("dhcp: { mode: authoritative, range: 10.0.0.100-10.0.0.199, router: 10.0.0.254, dns: [10.0.0.1] }", "dhcp: { mode: proxy }"));
    }

    [Fact]
    public void An_install_is_a_hosts_own_profile_not_a_menu_item_or_the_default()
    {
        Assert.Equal(["site.yaml:43:15: profiles.m.menu[0]: 'cloud' installs, and an install is a hosts own profile (expected hosts naming profile: cloud; a menu item cannot)".Replace("hosts own", "host's own", StringComparison.Ordinal)],
            ErrorsWith("defaults: { profile: none }", "  m: { menu: [cloud, disk] }\ndefaults: { profile: none }"));
    }

    public void Dispose() => _site.Dispose();
}
