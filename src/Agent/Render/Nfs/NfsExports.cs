using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Render.Nfs;

/// <summary>
/// Renders the site's NFS roots as an exports file for kernel nfsd (<c>exports(5)</c>, read by <c>exportfs -ra</c>):
/// a pure function of the site snapshot.
/// </summary>
/// <remarks>
/// A per-host root (the default <c>nfsroot_mode</c>) is exported read-write to the one address of each host that
/// boots it, and only to hosts with a static <c>ip</c>: a pool address belongs to whichever machine asks next, so
/// it cannot stand for one host. A <c>shared-ro</c> root is exported read-only to the subnets its machines boot
/// on. Nothing else is exported. Both keep root as root (<c>no_root_squash</c>): a root file system holds files
/// only root may read or write, and a client's root squashed to nobody could not boot from it.
/// </remarks>
public static class NfsExports
{
    /// <summary>The file's name in <c>/etc/exports.d</c> (exportfs reads only names ending in <c>.exports</c> there).</summary>
    public const string FileName = "netbootpi.exports";

    /// <summary>
    /// mountd's port (IANA's for it): nfs-utils picks a random one unless told, and the box's firewall can only open
    /// a port it knows. rpcbind (111) and nfsd (2049) have fixed ports of their own.
    /// </summary>
    public const int MountdPort = 20048;

    /// <summary>The ports an NFSv3 client needs of the box, TCP and UDP: rpcbind, nfsd, mountd.</summary>
    public static readonly int[] Ports = [111, 2049, MountdPort];

    /// <summary>
    /// Our file in <c>/etc/nfs.conf.d</c> (nfs-utils 2.5 and later read every <c>*.conf</c> there after
    /// <c>/etc/nfs.conf</c>): mountd on <see cref="MountdPort"/>. Lock ports are not pinned: a root is mounted
    /// <c>nolock</c> (by the kernel's nfsroot and by initramfs-tools' nfsmount), so lockd and statd are never asked.
    /// </summary>
    public const string PortsConfigText = """
        # Written by netbootpi (docs/nfs.md): mountd on a fixed port, which the box's firewall opens to the exports' clients.
        [mountd]
        port=20048

        """;

    public static NfsExportSet Render(SiteInventory site)
    {
        var byPath = new SortedDictionary<string, List<NfsExportClient>>(StringComparer.Ordinal);
        var writers = new Dictionary<string, HostEntry>(StringComparer.Ordinal);
        var notices = new List<NfsExportNotice>();

        foreach (var host in site.Hosts)
        {
            var binding = site.Resolve(host.Mac);
            foreach (var profile in Bootable(site, binding.Profile).Where(p => p.NfsRoot is not null && p.NfsRootMode == NfsRootMode.PerHost))
            {
                var path = binding.ExpandPlaceholders(profile.NfsRoot!);
                if (host.Ip is not { } ip)
                {
                    notices.Add(new(host.Location, $"hosts.{host.Name}",
                        $"boots profile {profile.Name}, whose NFS root {path} is exported only to a host's static address, and has no ip: " +
                        "nothing is exported for it, so mounting its root is refused (expected ip: ADDRESS)"));
                    continue;
                }
                if (writers.TryGetValue(path, out var other) && other != host)
                    notices.Add(new(host.Location, $"hosts.{host.Name}",
                        $"shares the read-write NFS root {path} with host {other.Name} at line {other.Location.Line}: both may write one tree at once " +
                        "(expected a path with {mac} or {name}, or nfsroot_mode: shared-ro)"));
                writers.TryAdd(path, host);
                Add(byPath, path, new NfsExportClient(ip.ToString(), ReadOnly: false, $"{host.Name} ({host.Mac}), profile {profile.Name}"));
            }
        }

        var defaults = site.DefaultProfile == SiteInventory.NoProfile ? [] : Bootable(site, site.FindProfile(site.DefaultProfile)).ToList();
        foreach (var profile in defaults.Where(p => p.NfsRoot is not null && p.NfsRootMode == NfsRootMode.PerHost))
            notices.Add(new(profile.Location, $"profiles.{profile.Name}.nfsroot",
                $"machines not in the site file boot profile {profile.Name} (defaults.profile), but its per-host NFS root is exported only to " +
                "hosts with an ip: their mount is refused (expected host entries with ip for them, or nfsroot_mode: shared-ro)"));

        foreach (var profile in site.Profiles.Where(p => p.NfsRoot is not null && p.NfsRootMode == NfsRootMode.SharedReadOnly))
        {
            foreach (var (subnet, names) in SharedClients(site, profile, defaults.Contains(profile)))
                Add(byPath, profile.NfsRoot!, new NfsExportClient(subnet.ToString(), ReadOnly: true, $"network {names}, profile {profile.Name}"));
        }

        var exports = byPath.Select(kv => new NfsExport(kv.Key, Fsid(kv.Key), [.. kv.Value])).ToImmutableArray();
        return new NfsExportSet(exports, [.. notices], Text(site, exports));
    }

    /// <summary>
    /// A stable <c>fsid=</c> for <paramref name="path"/>: the first 128 bits of its SHA-256 as a UUID. nfsd puts
    /// the fsid in every file handle it gives out, so it must stay the same across reloads and restarts (or mounted
    /// clients get ESTALE) and differ between exports; derived from the path, it needs no state and follows a
    /// root wherever the site file is edited. A UUID is never read as a number by exportfs (the '-' ends strtoul),
    /// and at 128 bits two paths do not collide.
    /// </summary>
    public static string Fsid(string path)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(path), hash);
        var hex = Convert.ToHexStringLower(hash[..16]);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }

    /// <summary>The options of one client: <c>sync</c> so a write the client was told is done survives the box's crash.</summary>
    public static string Options(NfsExportClient client, string fsid) =>
        $"{(client.ReadOnly ? "ro" : "rw")},sync,no_subtree_check,no_root_squash,fsid={fsid}";

    private static string Text(SiteInventory site, ImmutableArray<NfsExport> exports)
    {
        var w = new Render.LineWriter();
        w.Line($"# Written by netbootpi from site {site.Site.Name}; it replaces this file on every change (docs/nfs.md).");
        w.Line("# Per-host roots are read-write to their host's address only; shared-ro roots read-only to the networks that boot them.");
        if (exports.IsEmpty) w.Line("# Nothing to export: no host boots a profile with an nfsroot.");
        foreach (var export in exports)
        {
            w.Blank();
            foreach (var c in export.Clients) w.Line($"# {c.Client}: {c.For}");
            w.Line($"{export.Path} {string.Join(' ', export.Clients.Select(c => $"{c.Client}({Options(c, export.Fsid)})"))}");
        }
        return w.ToString();
    }

    private static void Add(SortedDictionary<string, List<NfsExportClient>> byPath, string path, NfsExportClient client)
    {
        if (!byPath.TryGetValue(path, out var clients)) byPath[path] = clients = [];
        if (!clients.Any(c => c.Client == client.Client)) clients.Add(client);
    }

    /// <summary>The profiles a machine with <paramref name="profile"/> can boot: the profile, or a menu's items.</summary>
    private static IEnumerable<BootProfile> Bootable(SiteInventory site, BootProfile? profile)
    {
        if (profile is null) return [];
        if (profile.Kind != ProfileKind.Menu) return [profile];
        return profile.MenuItems.Select(site.FindProfile).OfType<BootProfile>();
    }

    /// <summary>
    /// The subnets machines booting <paramref name="profile"/> are on: a host's network when it has an ip; every
    /// network the box answers DHCP on when a host has none or the profile is the default (such machines may turn up
    /// on any of them). In the site's order of networks, each once.
    /// </summary>
    private static IEnumerable<(Ipv4Network Subnet, string Names)> SharedClients(SiteInventory site, BootProfile profile, bool isDefault)
    {
        var networks = new HashSet<string>(StringComparer.Ordinal);
        var anywhere = isDefault;
        foreach (var host in site.Hosts)
        {
            var binding = site.Resolve(host.Mac);
            if (!Bootable(site, binding.Profile).Contains(profile)) continue;
            if (binding.StaticAddress is null) anywhere = true;
            else if (binding.Network is { } n) networks.Add(n.Name);
        }
        foreach (var n in site.Networks)
            if (networks.Contains(n.Name) || (anywhere && n.Dhcp.Mode != DhcpMode.Off)) yield return (n.Subnet, n.Name);
    }
}
