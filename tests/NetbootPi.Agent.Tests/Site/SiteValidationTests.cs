namespace NetbootPi.Agent.Tests.Site;

/// <summary>Every validation rule, each with the exact message a user sees (FILE:LINE:COLUMN: key.path: ...).</summary>
public class SiteValidationTests
{
    private static readonly string M = SiteText.Minimal;

    private static void AssertErrors(string text, params string[] expected) =>
        Assert.Equal(expected, SiteText.Errors(text));

    [Fact]
    public void The_minimal_site_is_valid() => AssertErrors(M);

    [Fact]
    public void Malformed_mac() => AssertErrors(
        M.WithLine(15, "  a: { mac: 00:00:00:00:01, ip: 10.0.0.10 }"),
        "t.yaml:15:13: hosts.a.mac: '00:00:00:00:01' is not a MAC address (expected six hex pairs like 84:8f:69:e0:d4:0f)");

    [Fact]
    public void Malformed_ip() => AssertErrors(
        M.WithLine(15, "  a: { mac: 00:00:00:00:00:01, ip: 10.0.0.300 }"),
        "t.yaml:15:36: hosts.a.ip: '10.0.0.300' is not an IPv4 address (expected a dotted quad like 10.69.1.1)");

    [Fact]
    public void Malformed_cidr_reports_only_itself_not_the_hosts_it_leaves_homeless() => AssertErrors(
        M.WithLine(8, "    address: 10.0.0.1/33"),
        "t.yaml:8:14: networks.lan.address: '10.0.0.1/33' is not an address with a prefix length (expected ADDRESS/PREFIX like 10.69.0.1/16)");

    [Fact]
    public void Malformed_duration() => AssertErrors(
        M.WithLine(9, "    dhcp: { mode: authoritative, lease: 1x }"),
        "t.yaml:9:41: networks.lan.dhcp.lease: '1x' is not a duration (expected a number and a unit s, m, h or d, like 12h or 1h30m)");

    [Fact]
    public void Unknown_key_suggests_the_nearest() => AssertErrors(
        M.WithLine(2, "  nmae: t"),
        "t.yaml:2:3: site.nmae: unknown key (did you mean 'name'?)",
        "t.yaml:2:3: site: missing key 'name' (expected a mapping with name, domain, upstream_dns and ssh_keys)");

    [Fact]
    public void Unknown_key_without_a_near_miss_lists_the_keys() => AssertErrors(
        M.WithLine(4, "  colour: blue"),
        "t.yaml:4:3: site.colour: unknown key (expected one of: name, domain, upstream_dns, ssh_keys)");

    [Fact]
    public void Unknown_top_level_section() => AssertErrors(
        M + "\nbackupz: {}\nextras: {}",
        "t.yaml:17:1: backupz: unknown key (did you mean 'backup'?)",
        "t.yaml:18:1: extras: unknown key (expected one of: site, server, networks, firewall, wireguard, dns, kvm, media, profiles, defaults, hosts, alerts, backup)");

    [Fact]
    public void Backup_recipients_must_be_age_public_keys_and_its_folder_absolute() => AssertErrors(
        M + "\nbackup:\n  recipients: [age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gx, ssh-ed25519]\n  to: backups\n  keep: 0",
        "t.yaml:18:16: backup.recipients[0]: 'age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gx' is not an age public key: its checksum is wrong (a typo, or a truncated key)",
        "t.yaml:18:80: backup.recipients[1]: 'ssh-ed25519' is not an age public key: has no '1' separator followed by data and a checksum",
        "t.yaml:19:7: backup.to: 'backups' is not a place backups can go (expected an absolute folder like /mnt/backup/netbootpi, an SSH server's folder as sftp://USER@HOST[:PORT]/PATH or USER@HOST:PATH, or a git repository as git+ssh://USER@HOST[:PORT]/PATH)",
        "t.yaml:20:9: backup.keep: 0 is outside 1..1000 (expected how many backups to keep in the folder)");

    [Fact]
    public void Backup_to_an_ssh_server_or_git_needs_a_pinned_host_key_and_a_user() => AssertErrors(
        M + "\nbackup:\n  recipients: [age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq]\n  to: sftp://files.example.org/srv/b\n  host_key: ssh-ed25519 AAAA",
        "t.yaml:19:7: backup.to: 'files.example.org' names no user (expected USER@HOST: the account on the destination whose authorized_keys holds the box's key)",
        "t.yaml:20:13: backup.host_key: 'ssh-ed25519 AAAA' is not an SSH public key: the key data is not a ssh-ed25519 key (expected TYPE BASE64 as the destination's /etc/ssh/ssh_host_ed25519_key.pub has it)");

    [Fact]
    public void Backup_to_an_ssh_server_without_host_key_is_refused_with_where_to_find_it() => AssertErrors(
        M + "\nbackup:\n  recipients: [age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq]\n  to: backup@files.example.org:netbootpi",
        "t.yaml:19:7: backup.to: 'backup@files.example.org:netbootpi' needs backup.host_key: the SSH host key files.example.org must show (its /etc/ssh/ssh_host_ed25519_key.pub, read there or compared with ssh-keyscan's by fingerprint): the box never trusts a key on first use");

    [Theory]
    [InlineData("git+ssh://git@h:99999/r.git", "'99999' is not a port (1 to 65535)")]
    [InlineData("sftp://u@h", "'sftp://u@h' names no path after the host (expected sftp://USER@HOST[:PORT]/PATH)")]
    public void Backup_destinations_refused(string text, string problem)
    {
        Assert.False(NetbootPi.Agent.Site.BackupDestination.TryParse(text, out _, out var why));
        Assert.Equal(problem, why);
    }

    [Theory]
    [InlineData("/mnt/b", "Folder", "", "", 0, "/mnt/b")]
    [InlineData("sftp://u@h.example/srv/b", "Sftp", "u", "h.example", 22, "/srv/b")]
    [InlineData("sftp://u@[fd00::2]:2222/b", "Sftp", "u", "fd00::2", 2222, "/b")]
    [InlineData("u@h:b/c", "Sftp", "u", "h", 22, "b/c")]
    [InlineData("u@h:", "Sftp", "u", "h", 22, ".")]
    [InlineData("u@[fd00::2]:b", "Sftp", "u", "fd00::2", 22, "b")]
    [InlineData("git+ssh://git@h:2200/srv/git/r.git", "Git", "git", "h", 2200, "/srv/git/r.git")]
    public void Backup_destinations_read(string text, string kind, string user, string host, int port, string path)
    {
        Assert.True(NetbootPi.Agent.Site.BackupDestination.TryParse(text, out var d, out var problem), problem);
        Assert.Equal((kind, user, host, port, path), (d.Kind.ToString(), d.User, d.Host, d.Port, d.Path));
    }

    [Fact]
    public void Duplicate_mac() => AssertErrors(
        M.WithLine(16, "  b: { mac: 00-00-00-00-00-01, ip: 10.0.0.11, profile: k }"),
        "t.yaml:16:13: hosts.b.mac: MAC 00:00:00:00:00:01 is already used by host a at line 15 (expected each MAC once)");

    [Fact]
    public void Duplicate_ip() => AssertErrors(
        M.WithLine(16, "  b: { mac: 00:00:00:00:00:02, ip: 10.0.0.10, profile: k }"),
        "t.yaml:16:36: hosts.b.ip: address 10.0.0.10 is already used by host a at line 15 (expected each address once)");

    [Fact]
    public void Duplicate_host_name() => AssertErrors(
        M.WithLine(16, "  a: { mac: 00:00:00:00:00:02, ip: 10.0.0.11 }"),
        "t.yaml:16:3: hosts.a: duplicate key (first defined at line 15; expected each key once)");

    [Theory]
    [InlineData("my_host")]                      // '_' is no host-name character (RFC 952/1123)
    [InlineData("-a")]
    [InlineData("a-")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 64: over one DNS label
    public void A_host_name_that_is_no_dns_label_is_refused_where_it_stands(string name) => AssertErrors(
        M.WithLine(16, $"  {name}: {{ mac: 00:00:00:00:00:02, ip: 10.0.0.11 }}"),
        $"t.yaml:16:3: hosts.{name}: '{name}' is not a valid host name (expected letters, digits and '-', at most 63, not starting or ending with '-')");

    [Fact]
    public void Host_names_differing_only_in_case_are_duplicates() => AssertErrors(
        M.WithLine(16, "  A: { mac: 00:00:00:00:00:02, ip: 10.0.0.11 }"),
        "t.yaml:16:3: hosts.A: host name A is already used by host a at line 15 (expected each name once; names are case-insensitive)");

    [Fact]
    public void Host_ip_outside_every_network() => AssertErrors(
        M.WithLine(15, "  a: { mac: 00:00:00:00:00:01, ip: 10.1.0.10 }"),
        "t.yaml:15:36: hosts.a.ip: 10.1.0.10 is in no network (expected an address inside one of: lan 10.0.0.0/24)");

    [Fact]
    public void Host_ip_equal_to_the_box() => AssertErrors(
        M.WithLine(15, "  a: { mac: 00:00:00:00:00:01, ip: 10.0.0.1 }"),
        "t.yaml:15:36: hosts.a.ip: 10.0.0.1 is the box's own address on network lan (expected another address)");

    [Theory]
    [InlineData("10.0.0.0", "network")]
    [InlineData("10.0.0.255", "broadcast")]
    public void Host_ip_on_the_network_or_broadcast_address(string ip, string which) => AssertErrors(
        M.WithLine(15, $"  a: {{ mac: 00:00:00:00:00:01, ip: {ip} }}"),
        $"t.yaml:15:36: hosts.a.ip: {ip} is the {which} address of network lan 10.0.0.0/24 (expected a host address)");

    [Fact]
    public void Static_address_inside_the_range_is_allowed() =>
        AssertErrors(M.WithLine(15, "  a: { mac: 00:00:00:00:00:01, ip: 10.0.0.150 }"));

    [Fact]
    public void Range_outside_its_network() => AssertErrors(
        M.WithLine(9, "    dhcp: { mode: authoritative, range: 10.0.1.1-10.0.1.9 }"),
        "t.yaml:9:41: networks.lan.dhcp.range: range 10.0.1.1-10.0.1.9 is not inside the network 10.0.0.0/24 (expected addresses from 10.0.0.1 to 10.0.0.254)");

    [Fact]
    public void Range_reversed() => AssertErrors(
        M.WithLine(9, "    dhcp: { mode: authoritative, range: 10.0.0.199-10.0.0.100 }"),
        "t.yaml:9:41: networks.lan.dhcp.range: range 10.0.0.199-10.0.0.100 starts after it ends (expected FIRST-LAST with FIRST not after LAST)");

    [Fact]
    public void Range_including_the_broadcast_address() => AssertErrors(
        M.WithLine(9, "    dhcp: { mode: authoritative, range: 10.0.0.200-10.0.0.255 }"),
        "t.yaml:9:41: networks.lan.dhcp.range: range 10.0.0.200-10.0.0.255 includes the broadcast address of 10.0.0.0/24 (expected host addresses only)");

    [Fact]
    public void Malformed_range() => AssertErrors(
        M.WithLine(9, "    dhcp: { mode: authoritative, range: 10.0.0.100 }"),
        "t.yaml:9:41: networks.lan.dhcp.range: '10.0.0.100' is not an address range (expected FIRST-LAST like 10.69.10.1-10.69.20.254)");

    [Fact]
    public void Overlapping_networks() => AssertErrors(
        M.WithLine(9, M.Split('\n')[8] + "\n  mgmt: { interface: eth1, address: 10.0.0.129/25, role: management }"),
        "t.yaml:10:37: networks.mgmt.address: 10.0.0.128/25 overlaps network lan 10.0.0.0/24 (expected networks that share no addresses)");

    [Fact]
    public void Two_networks_on_one_interface_and_vlan() => AssertErrors(
        M.WithLine(9, M.Split('\n')[8] + "\n  mgmt: { interface: eth0, address: 192.168.1.1/24, role: management }"),
        "t.yaml:10:22: networks.mgmt: interface eth0 is already network lan's (expected one network per interface or VLAN)");

    [Fact]
    public void Unknown_profile_on_a_host() => AssertErrors(
        M.WithLine(16, "  b: { mac: 00:00:00:00:00:02, ip: 10.0.0.11, profile: q }"),
        "t.yaml:16:56: hosts.b.profile: unknown profile 'q' (defined: p, k, none)");

    [Fact]
    public void Unknown_profile_suggests_a_near_miss() => AssertErrors(
        M.WithLine(11, "  pxe: { local: true }").WithLine(13, "defaults: { profile: pex }"),
        "t.yaml:13:22: defaults.profile: unknown profile 'pex' (did you mean 'pxe'? defined: pxe, k, none)");

    [Fact]
    public void Unknown_default_profile() => AssertErrors(
        M.WithLine(13, "defaults: { profile: zzz }"),
        "t.yaml:13:22: defaults.profile: unknown profile 'zzz' (defined: p, k, none)");

    [Theory]
    [InlineData("4095")]
    [InlineData("0")]
    public void Vlan_outside_1_to_4094(string vlan) => AssertErrors(
        M.WithLine(7, $"    interface: eth0\n    vlan: {vlan}"),
        $"t.yaml:8:11: networks.lan.vlan: {vlan} is outside 1..4094 (expected a VLAN id from 1 to 4094)");

    [Fact]
    public void Profile_with_nothing_to_boot() => AssertErrors(
        M.WithLine(11, "  p: { cmdline: quiet }"),
        "t.yaml:11:6: profiles.p: profile has none of kernel, alpine, local, menu or sanboot (expected exactly one, e.g. kernel: path/to/vmlinuz)");

    [Fact]
    public void Profile_with_two_things_to_boot() => AssertErrors(
        M.WithLine(11, "  p: { local: true, kernel: x }"),
        "t.yaml:11:15: profiles.p.local: profile has both kernel and local (expected exactly one of kernel, alpine, local, menu or sanboot)");

    [Fact]
    public void Missing_required_key() => AssertErrors(
        M.WithLine(15, "  a: { ip: 10.0.0.10 }"),
        "t.yaml:15:6: hosts.a: missing key 'mac' (expected a mapping with mac, and optionally ip, profile, pi_serial, power, recovery and console)");

    [Fact]
    public void Wrong_node_kind() => AssertErrors(
        M.WithLine(5, "networks: 5").WithLine(6, "").WithLine(7, "").WithLine(8, "").WithLine(9, ""),
        "t.yaml:5:11: networks: expected a mapping of network names to networks, found '5'");

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var text = M.WithLine(15, "  a: { mac: nope, ip: 10.0.0.300 }").WithLine(13, "defaults: { profile: zzz }");
        Assert.Equal(3, SiteText.Errors(text).Length);
    }

    [Fact]
    public void Yaml_syntax_error_has_a_position()
    {
        var e = Assert.Single(SiteText.Errors("site:\n  name: t\n    domain: x\nnetworks: {}\n"));
        Assert.Equal("t.yaml:3:11: site: not valid YAML: a ':' where no key can start: a key indented differently from the keys beside it, or a value holding ': ' (put such a value in quotes)", e);
    }

    [Fact]
    public void Truncated_flow_list_is_an_error_not_a_crash() => AssertErrors(
        "site:\n  name: [t\nnetworks: {}\n",
        "t.yaml:2:9: site.name: not valid YAML: the file ends inside an unfinished value (is a '[', '{' or quote left open?)");

    [Fact]
    public void Braces_in_a_flow_mapping_need_quotes_and_say_so()
    {
        var e = Assert.Single(SiteText.Errors(SiteText.Minimal.WithLine(12, "  k: { kernel: k/vmlinuz, nfsroot: /srv/{mac} }")));
        Assert.StartsWith("t.yaml:12:", e);
        Assert.Contains("not valid YAML", e);
    }

    [Fact]
    public void Empty_file() => AssertErrors("",
        "t.yaml:1:1: (document): the file is empty (expected the sections site, networks, profiles, defaults and hosts)");

    [Fact]
    public void Proxy_mode_refuses_address_settings() => AssertErrors(
        M.WithLine(9, "    dhcp: { mode: proxy, range: 10.0.0.100-10.0.0.199 }"),
        "t.yaml:9:33: networks.lan.dhcp.range: has no meaning when mode is proxy (another server hands out addresses; remove range or use mode: authoritative)");

    [Fact]
    public void Unknown_dhcp_mode_suggests() => AssertErrors(
        M.WithLine(9, "    dhcp: { mode: authoritive }"),
        "t.yaml:9:19: networks.lan.dhcp.mode: unknown mode 'authoritive' (did you mean 'authoritative'? expected authoritative, proxy or off)");

    [Fact]
    public void Router_outside_the_network() => AssertErrors(
        M.WithLine(9, "    dhcp: { mode: authoritative, router: 10.9.0.1 }"),
        "t.yaml:9:42: networks.lan.dhcp.router: router 10.9.0.1 is outside the network 10.0.0.0/24 (expected an address inside it)");

    [Fact]
    public void Profile_named_none_is_reserved() => AssertErrors(
        M.WithLine(11, "  none: { local: true }").WithLine(13, "defaults: { profile: k }"),
        "t.yaml:11:3: profiles.none: 'none' is reserved: it means no boot offer (expected another profile name)");

    [Fact]
    public void A_kernel_from_the_machines_own_root_needs_an_nfsroot_and_a_plain_path_inside_it()
    {
        Assert.Empty(SiteText.Errors(M.WithLine(12, "  k: { kernel: \"{nfsroot}/vmlinuz\", initrd: \"{nfsroot}/boot/initrd.img\", nfsroot: \"/srv/nfs/{name}\" }")));
        AssertErrors(M.WithLine(12, "  k: { kernel: \"{nfsroot}/vmlinuz\" }"),
            "t.yaml:12:16: profiles.k.kernel: '{nfsroot}/vmlinuz' is inside the machine's NFS root, but this profile has no nfsroot (expected nfsroot: /srv/nfsroots/{mac}, or a path in the data directory)");
        AssertErrors(M.WithLine(12, "  k: { kernel: \"{nfsroot}/../../etc/shadow\", nfsroot: \"/srv/nfs/{name}\" }"),
            "t.yaml:12:16: profiles.k.kernel: '{nfsroot}/../../etc/shadow' is not a path inside the machine's NFS root (expected {nfsroot}/PATH like {nfsroot}/vmlinuz, PATH relative, without '..' or hidden names)");
        AssertErrors(M.WithLine(12, "  k: { kernel: \"{root}/vmlinuz\", nfsroot: \"/srv/nfs/{name}\" }"),
            "t.yaml:12:16: profiles.k.kernel: '{root}/vmlinuz' is not a path inside the machine's NFS root (expected {nfsroot}/PATH like {nfsroot}/vmlinuz, PATH relative, without '..' or hidden names)");
    }

    [Fact]
    public void Kernel_path_may_not_leave_the_data_directory() => AssertErrors(
        M.WithLine(12, "  k: { kernel: ../etc/shadow }"),
        "t.yaml:12:16: profiles.k.kernel: '../etc/shadow' is not a path inside the data directory (expected a relative path like ubuntu/18.04.2/vmlinuz, without '..', or an http:// URL)");

    [Fact]
    public void Menu_items_must_exist_and_not_nest() => AssertErrors(
        M.WithLine(12, "  k: { menu: [p, m, x] }\n  m: { menu: [p] }"),
        "t.yaml:12:18: profiles.k.menu[1]: 'm' is itself a menu (expected profiles that boot something; menus do not nest)",
        "t.yaml:12:21: profiles.k.menu[2]: unknown profile 'x' (defined: p)");

    [Fact]
    public void Bad_ssh_key() => AssertErrors(
        M.WithLine(4, "  ssh_keys: [\"ssh-ed25519 AAAA... admin@example\"]"),
        "t.yaml:4:14: site.ssh_keys[0]: not an SSH public key: the key data is not base64 (expected one line of an authorized_keys file, like 'ssh-ed25519 AAAAC3Nza... admin@example')");

    [Fact]
    public void Pi_serial_is_eight_hex_digits() => AssertErrors(
        M.WithLine(15, "  a: { mac: 00:00:00:00:00:01, pi_serial: 12345 }"),
        "t.yaml:15:43: hosts.a.pi_serial: '12345' is not a Raspberry Pi serial number (expected 8 hex digits, like 3a4b5c6d; see 'vcgencmd otp_dump | grep ^28:')");

    [Fact]
    public void Loaders_are_tftp_paths_not_urls() => AssertErrors(
        M + "\nserver: { loaders: { bios: http://x/undionly.kpxe, uefi: ../snponly.efi } }",
        "t.yaml:17:28: server.loaders.bios: 'http://x/undionly.kpxe' is a URL (expected a path in the TFTP root: PXE firmware fetches loaders over TFTP)",
        "t.yaml:17:58: server.loaders.uefi: '../snponly.efi' is not a path inside the data directory (expected a relative path like ubuntu/18.04.2/vmlinuz, without '..', or an http:// URL)");

    [Fact]
    public void Server_settings_default_and_override()
    {
        var d = SiteText.Load(M).Inventory!.Server;
        Assert.Equal(("/var/lib/netbootpi", "/srv/netbootpi", 80, "/srv/netbootpi/tftp", "undionly.kpxe"),
            (d.StateDirectory, d.DataDirectory, d.HttpPort, d.TftpRoot, d.Loaders.Bios));
        var o = SiteText.Load(M + "\nserver: { data_dir: /data/, tftp_root: /tftpboot, loaders: { arm64: efi/arm64.efi } }").Inventory!.Server;
        Assert.Equal(("/data", "/tftpboot", "efi/arm64.efi", "snponly.efi"), (o.DataDirectory, o.TftpRoot, o.Loaders.Arm64, o.Loaders.Uefi));
    }

    [Theory]
    [InlineData("12h", 43200)]
    [InlineData("1h30m", 5400)]
    [InlineData("90s", 90)]
    [InlineData("7d", 604800)]
    public void Durations(string text, int seconds)
    {
        Assert.True(NetbootPi.Agent.Site.SiteReader.TryParseDuration(text, out var d));
        Assert.Equal(seconds, (int)d.TotalSeconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("h")]
    [InlineData("1.5h")]
    [InlineData("-1h")]
    [InlineData("1w")]
    [InlineData("99999999999d")]
    public void Bad_durations(string text) =>
        Assert.False(NetbootPi.Agent.Site.SiteReader.TryParseDuration(text, out _));
}
