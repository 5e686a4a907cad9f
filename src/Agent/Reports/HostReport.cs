using NetbootPi.Agent.Dns;
using NetbootPi.Agent.NfsRoots;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Dns;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Reports;

/// <summary>
/// What the site derives for one machine, as <c>show host</c> prints it and <c>GET /api/v1/hosts/derived</c> answers
/// it: a known host's values, or what an unknown machine would get (per network that serves DHCP, when it has no
/// static address). A pure function of the site, the leases and the time.
/// </summary>
public static class HostReport
{
    public static IReadOnlyList<HostReportRow> Rows(SiteInventory site, MacAddress mac, IReadOnlyList<DhcpLease> leases, DateTimeOffset now) =>
        [.. Build(site, mac, () => SiteZone.Build(site, leases, now))];

    /// <summary>The rows as text: a key column, and before each network's own rows a line saying which network.</summary>
    public static IEnumerable<string> Lines(IEnumerable<HostReportRow> rows)
    {
        string? section = null;
        foreach (var r in rows)
        {
            if (r.Network is { } n && n != section)
            {
                yield return "";
                yield return $"when seen on network {n}:";
            }
            section = r.Network;
            yield return $"{r.Key,-12} {r.Value}";
        }
    }

    private static IEnumerable<HostReportRow> Build(SiteInventory site, MacAddress mac, Func<SiteZone> zoneWithLeases)
    {
        // Built once, and only when a row needs the DNS names the leases give.
        SiteZone? zone = null;
        SiteZone Zone() => zone ??= zoneWithLeases();
        var binding = site.Resolve(mac);
        var host = binding.Host;
        yield return Row("host", host?.Name ?? "(not in the site file)");
        yield return Row("mac", mac.ToString());
        if (host is not null)
        {
            yield return Row("defined at", host.Location.ToString());
            yield return Row("fqdn", binding.Fqdn!);
            yield return Row("dns", DnsText(site, Zone, binding.Fqdn!, mac));
        }
        else if (PooledText(site, Zone, mac) is { } pooled) yield return Row("dns", pooled);
        if (host?.PiSerial is { } serial) yield return Row("pi serial", serial);
        yield return Row("profile", ProfileText(binding));

        if (binding.Network is not null)
        {
            foreach (var line in NetworkLines(site, binding, site.Server.HttpPort)) yield return line;
            yield break;
        }
        // No static address: the network is wherever the machine's DHCP request arrives.
        var served = site.Networks.Where(n => n.Dhcp.Mode != DhcpMode.Off).ToList();
        if (served.Count == 0)
        {
            yield return Row("network", "none: no network serves DHCP, so this machine gets nothing from the box");
            yield break;
        }
        foreach (var n in served)
            foreach (var row in NetworkLines(site, site.Resolve(mac, n), site.Server.HttpPort)) yield return row with { Network = n.Name };
    }

    private static IEnumerable<HostReportRow> NetworkLines(SiteInventory site, HostBinding b, int httpPort)
    {
        var n = b.Network!;
        yield return Row("network", $"{n.Name} ({n.Interface ?? "through DHCP relays"}, {n.Subnet}, {SiteSummary.Dhcp(n)})");
        yield return Row("ip", AddressText(b, n));
        string? script = b.BootScriptUrl, overlay = b.OverlayUrl;
        if (n.IsRelayed && b.GetsBootOffer)
        {
            // The relay's clients reach the box at the address the relay forwards to, known only per request.
            const string Note = " (BOX: the box's address the relay forwards to)";
            var baseUrl = httpPort == 80 ? "http://BOX" : $"http://BOX:{httpPort}";
            script = BootUrls.Script(baseUrl, b.Mac) + Note;
            overlay = b.UsesOverlay ? BootUrls.Overlay(baseUrl, b.Mac) + Note : null;
        }
        yield return Row("boot script", script ?? "- (no boot offer)");
        yield return Row("overlay", overlay ?? (b.GetsBootOffer ? "- (the profile uses no apkovl overlay)" : "-"));
        var roots = b.NfsRoots;
        var box = n.BoxAddress?.ToString() ?? "BOX";
        yield return Row("nfs root", roots.Count == 0 ? "-" : string.Join(", ", roots.Select(r => $"{box}:{r}")));
        foreach (var root in roots) yield return Row("", $"{root}: {NfsRootStatus.Describe(site, root)}");
    }

    private static string AddressText(HostBinding b, NetworkConfig n)
    {
        if (b.StaticAddress is { } ip)
        {
            return n.Dhcp.Mode switch
            {
                DhcpMode.Authoritative when n.Dhcp.Range is { } r && r.Contains(ip) =>
                    $"{ip} (static lease; inside the pool {r}, which never hands it to another machine)",
                DhcpMode.Authoritative => $"{ip} (static lease)",
                DhcpMode.Proxy => $"{ip} (from the site file; network {n.Name}'s own DHCP server must hand it out)",
                _ => $"{ip} (from the site file; DHCP is off on {n.Name}, so configure it on the machine)",
            };
        }
        return n.Dhcp.Mode switch
        {
            DhcpMode.Authoritative when n.Dhcp.Range is { } r => $"from the pool {r}",
            DhcpMode.Authoritative => "none: this network has no range, so only hosts with an ip get an address",
            DhcpMode.Proxy => "from the network's own DHCP server (the box is a ProxyDHCP here)",
            _ => "none: DHCP is off on this network",
        };
    }

    private static string ProfileText(HostBinding b)
    {
        var source = b.ProfileFromDefaults ? " (from defaults.profile)" : "";
        if (b.Profile is not { } p) return $"none{source}: an address, but no boot offer";
        return $"{p.Name}{source}: {SiteSummary.Describe(p)}";
    }

    /// <summary>
    /// What the box answers for the host's name: its records, its reverse name, and the aliases that lead to it; for
    /// a host without a static address, the pool address it holds now (from the lease store).
    /// </summary>
    private static string DnsText(SiteInventory site, Func<SiteZone> zoneWithLeases, string fqdn, MacAddress mac)
    {
        if (site.Dns is null) return "- (the site has no dns: section, so the box answers no DNS)";
        var zone = zoneWithLeases();
        var records = zone.Records.ToList();
        var parts = new List<string>();
        foreach (var r in records.Where(r => DnsName.Equal(r.Name, fqdn) && r.Type == DnsRecordType.A))
            parts.Add($"A {r.Address[0]}.{r.Address[1]}.{r.Address[2]}.{r.Address[3]}");
        foreach (var r in records.Where(r => DnsName.Equal(r.Target, fqdn) && r.Type == DnsRecordType.PTR)) parts.Add($"PTR {r.Name}");
        foreach (var r in records.Where(r => DnsName.Equal(r.Target, fqdn) && r.Type == DnsRecordType.CNAME)) parts.Add($"alias {r.Name}");
        if (zone.Pooled.Published.FirstOrDefault(p => p.Mac == mac) is { } pooled)
            parts.Add($"(a pool address: until its lease ends at {Until(pooled.ExpiresAt)})");
        return parts.Count == 0 ? "- (no static address, and no pool lease now: the name resolves while it holds one)" : string.Join(", ", parts);
    }

    /// <summary>The name a machine the site does not list has in DNS from its lease, if it gave one.</summary>
    private static string? PooledText(SiteInventory site, Func<SiteZone> zoneWithLeases, MacAddress mac)
    {
        if (site.Dns is null || site.Site.Domain is not { } domain) return null;
        var zone = zoneWithLeases();
        if (zone.Pooled.Published.FirstOrDefault(p => p.Mac == mac) is { } p)
            return $"{p.Label}.{domain} A {p.Address}, PTR {ReverseNames.Of(p.Address)} (the name it gave; until its lease ends at {Until(p.ExpiresAt)})";
        if (zone.Pooled.Refused.FirstOrDefault(r => r.Mac == mac) is { } r)
            return $"- (it asked for {r.Label}.{domain} with its lease of {r.Address}: not given, that is {r.Reason})";
        return null;
    }

    private static string Until(DateTimeOffset end) =>
        end.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC";

    private static HostReportRow Row(string key, string value) => new(null, key, value);
}
