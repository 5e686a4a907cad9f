using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Tests.Render.Install;

/// <summary>
/// A site that installs one host of each kind, with its templates, written to a folder of its own (templates are
/// files beside the site file). docs/installs.md walks through the same file.
/// </summary>
internal sealed class InstallSite : IDisposable
{
    public const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxXp+yyizZEmGf07RUvsgRAYWgc/q9CjPeDM3iHXkiT admin@lab";
    public const string Hash = "$6$Q9mN2xTp$QcE9s1wBTjetOIPDGvRnJ2LoUZ3oNkRp3RRgBQpuF3Hd5qbYAodDUFsaNIhWKbsILth2kTs.ngLPh03QtIBVY/";

    /// <summary>The site; {0} is what follows it (a server: section, more hosts).</summary>
    public const string Text = """
        site:
          name: lab
          domain: lab.internal
          ssh_keys: [KEY]
        networks:
          lan:
            interface: eth0
            address: 10.0.0.1/24
            dhcp: { mode: authoritative, range: 10.0.0.100-10.0.0.199, router: 10.0.0.254, dns: [10.0.0.1] }
        profiles:
          disk: { local: true }
          debian-install:
            kernel: debian/12/linux
            initrd: debian/12/initrd.gz
            install:
              kind: preseed
              then: disk
              disk: /dev/sda
              packages: [vim, htop]
              timezone: Europe/Dublin
              password_hash: 'HASH'
              template: debian.preseed
          ubuntu-install:
            kernel: ubuntu/24.04/vmlinuz
            initrd: ubuntu/24.04/initrd
            cmdline: ip=dhcp url=http://10.0.0.1/images/ubuntu-24.04.1-live-server-amd64.iso
            install: { kind: autoinstall, then: disk, disk: /dev/nvme0n1, packages: [htop], password_hash: 'HASH', template: ubuntu.yaml }
          flatcar-install:
            kernel: flatcar/flatcar_production_pxe.vmlinuz
            initrd: flatcar/flatcar_production_pxe_image.cpio.gz
            cmdline: flatcar.first_boot=1
            install: { kind: ignition, then: disk, disk: /dev/sda, timezone: Europe/Dublin }
          fedora-install:
            kernel: fedora/41/vmlinuz
            initrd: fedora/41/initrd.img
            cmdline: inst.repo=https://dl.fedoraproject.org/pub/fedora/linux/releases/41/Everything/x86_64/os/
            install: { kind: kickstart, then: disk, disk: /dev/vda, packages: ['@^server-product-environment', vim-enhanced], template: fedora.ks }
          cloud:
            kernel: debian/12/cloud/vmlinuz
            initrd: debian/12/cloud/initrd.img
            nfsroot: /srv/nfsroots/{name}
            install: { kind: nocloud, then: disk, packages: [nginx], template: cloud.yaml }
        defaults: { profile: none }
        hosts:
          deb: { mac: 02:00:00:00:00:01, ip: 10.0.0.11, profile: debian-install }
          ubu: { mac: 02:00:00:00:00:02, ip: 10.0.0.12, profile: ubuntu-install }
          flat: { mac: 02:00:00:00:00:03, ip: 10.0.0.13, profile: flatcar-install }
          fed: { mac: 02:00:00:00:00:04, profile: fedora-install }
          nfs: { mac: 02:00:00:00:00:05, ip: 10.0.0.15, profile: cloud }
        """;

    public static readonly Dictionary<string, string> Templates = new()
    {
        ["debian.preseed"] = "d-i preseed/early_command string echo {{ host.fqdn }} > /tmp/netbootpi-host\nd-i apt-setup/services-select multiselect security, updates\n",
        ["ubuntu.yaml"] = "user-data:\n  runcmd:\n    - [sh, -c, \"echo {{ host.fqdn }} from {{ box.url }} > /etc/netbootpi-marker\"]\n",
        ["fedora.ks"] = "%post --log=/root/netbootpi.log\necho {{ host.name }} {{ site.domain }} {{ install.disk }} > /etc/netbootpi-marker\n%end\n",
        ["cloud.yaml"] = "runcmd:\n  - [sh, -c, \"echo {{ host.fqdn }} {{ host.ip }}/{{ host.prefix }} via {{ host.gateway }} dns {{ host.dns }} > /etc/netbootpi-marker\"]\n",
    };

    public InstallSite(string extra = "")
    {
        foreach (var (name, text) in Templates) File.WriteAllText(Path.Combine(Dir, name), text);
        File.WriteAllText(SitePath, Text.Replace("KEY", Key, StringComparison.Ordinal).Replace("HASH", Hash, StringComparison.Ordinal) + "\n" + extra);
    }

    public string Dir { get; } = Directory.CreateTempSubdirectory("netbootpi-install-").FullName;

    public string SitePath => Path.Combine(Dir, "site.yaml");

    public SiteLoadResult Load() => SiteFile.Parse(SitePath, File.ReadAllText(SitePath));

    public SiteInventory Inventory()
    {
        var loaded = Load();
        Assert.True(loaded.Inventory is not null, string.Join('\n', loaded.Errors));
        return loaded.Inventory!;
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
