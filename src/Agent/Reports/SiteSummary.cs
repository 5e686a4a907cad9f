using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Reports;

/// <summary>The site at a glance: networks, ranges, profiles and hosts.</summary>
public static class SiteSummary
{
    public static void Write(string path, SiteInventory site, TextWriter o)
    {
        o.WriteLine($"{path}: OK — site {site.Site.Name}{(site.Site.Domain is { } d ? $" ({d})" : "")}");
        o.WriteLine();
        o.WriteLine("networks");
        foreach (var n in site.Networks)
        {
            var extra = n.Gateway is { } gw ? $"  gateway {gw}" : "";
            if (n.IsRelayed) o.WriteLine($"  {n.Name,-10} {n.Role.SiteName(),-10} {"(relayed)",-10} {n.Subnet,-20} {Dhcp(n)}");
            else o.WriteLine($"  {n.Name,-10} {n.Role.SiteName(),-10} {n.Interface,-10} {n.Address,-20} {Dhcp(n)}{extra}");
        }
        o.WriteLine();
        o.WriteLine("profiles");
        foreach (var p in site.Profiles) o.WriteLine($"  {p.Name,-14} {Describe(p)}");
        o.WriteLine($"  default: {site.DefaultProfile}{(site.DefaultProfile == SiteInventory.NoProfile ? " (unknown machines get no boot offer)" : " (for machines not listed under hosts)")}");
        o.WriteLine();
        o.WriteLine($"hosts ({site.Hosts.Length})");
        foreach (var h in site.Hosts)
        {
            var b = site.Resolve(h.Mac);
            var profile = h.Profile ?? $"{site.DefaultProfile}*";
            o.WriteLine($"  {h.Name,-16} {h.Mac}  {h.Ip?.ToString() ?? "dynamic",-15}  {b.Network?.Name ?? "-",-8} {profile}");
        }
        if (site.Hosts.Any(h => h.Profile is null)) o.WriteLine("  (* from defaults.profile)");
    }

    public static string Dhcp(NetworkConfig n) => n.Dhcp.Mode switch
    {
        DhcpMode.Authoritative => n.Dhcp.Range is { } r
            ? $"dhcp authoritative, range {r} ({r.Count} addresses), lease {Duration(n.Dhcp.LeaseTime)}"
            : $"dhcp authoritative, static hosts only, lease {Duration(n.Dhcp.LeaseTime)}",
        DhcpMode.Proxy => "dhcp proxy (boot offers only)",
        _ => "dhcp off",
    };

    public static string Describe(BootProfile p) => p.Kind switch
    {
        ProfileKind.Alpine => $"alpine {p.Alpine!.Version} {p.Alpine.Flavor} {p.Alpine.Arch} from {p.Alpine.Mirror}",
        ProfileKind.Kernel => $"kernel {p.Kernel}{(p.Initrds.IsEmpty ? "" : $", initrd {string.Join(" ", p.Initrds)}")}{(p.NfsRoot is { } r ? $", nfsroot {r}" : "")}",
        ProfileKind.Local => "boot from the local disk",
        ProfileKind.Sanboot => $"sanboot image {p.Image} of the catalog",
        _ => $"menu: {string.Join(", ", p.MenuItems)}{(p.MenuDefault is { } d ? $" (default {d})" : "")}",
    };

    public static string Duration(TimeSpan t)
    {
        var s = (long)t.TotalSeconds;
        if (s % 86400 == 0) return $"{s / 86400}d";
        if (s % 3600 == 0) return $"{s / 3600}h";
        if (s % 60 == 0) return $"{s / 60}m";
        return $"{s}s";
    }
}
