using System.Globalization;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Dhcp;
using NetbootPi.Agent.Dns;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Power.Recovery;
using NetbootPi.Agent.Reports;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Control;

/// <summary>
/// The hosts and the leases on the control API. <c>GET /api/v1/hosts[?name=NAME]</c>: every host of the site with
/// what follows from its MAC (address, name, profile, the URLs it boots from, NFS roots, power and console wiring),
/// its lease, recovery's view of it and its last events. <c>GET /api/v1/leases</c>: the DHCP leases with the host
/// each belongs to. Both read the running site and the running DHCP server's leases (the lease files when the agent
/// serves no DHCP).
/// </summary>
public sealed class HostEndpoints(SiteState state, BootEventLog events, TimeProvider time, DhcpService? dhcp, RecoveryService? recovery) : IControlEndpoints
{
    public const string HostsPath = "/api/v1/hosts";
    public const string LeasesPath = "/api/v1/leases";
    public const string DerivedPath = "/api/v1/hosts/derived";

    public IEnumerable<ControlRoute> Routes =>
    [
        new("GET", HostsPath, ControlRole.Viewer, Changes: false, HostsAsync)
        {
            Summary = "The site's hosts with everything that follows from each MAC (address, FQDN, profile, boot URLs, NFS roots, power and console wiring), its lease, recovery's phase, and its last boot and power events.",
            Query = [new("name", false, "only this host (404 when the site has none of that name)")],
            Reply = ControlJson.Default.HostReplyArray,
        },
        new("GET", DerivedPath, ControlRole.Viewer, Changes: false, DerivedAsync)
        {
            Summary = "Everything the running site derives for one machine, known or not (what netbootpi show host prints): per row a key and its value, and for a machine without a static address the network the row applies on.",
            Query = [new("host", true, "a host's name in the site, or any MAC (what an unknown machine would get)")],
            Reply = ControlJson.Default.HostDerivedReply,
        },
        new("GET", LeasesPath, ControlRole.Viewer, Changes: false, LeasesAsync)
        {
            Summary = "The DHCP leases (bound, expired, released, declined), oldest address first, with the host each MAC belongs to.",
            Reply = ControlJson.Default.LeaseReplyArray,
        },
    ];

    private IReadOnlyList<DhcpLease> Leases() => dhcp?.Snapshot() is { Count: > 0 } running ? running : ReadLeaseFiles();

    private IReadOnlyList<DhcpLease> ReadLeaseFiles()
    {
        var directory = state.Current.Server.StateDirectory;
        if (!File.Exists(Path.Combine(directory, LeaseStore.JournalFileName)) && !File.Exists(Path.Combine(directory, LeaseStore.SnapshotFileName))) return [];
        return LeaseStore.Read(directory).Leases;
    }

    private async Task HostsAsync(HttpContext context, ControlCaller caller)
    {
        var site = state.Current;
        var now = time.GetUtcNow();
        IEnumerable<HostEntry> hosts = site.Hosts;
        if (context.Request.Query["name"].ToString() is { Length: > 0 } name)
        {
            if (site.FindHost(name) is not { } one)
            {
                var hint = site.HostHint(name);
                await ControlService.ReplyAsync(context, StatusCodes.Status404NotFound, $"the site has no host named '{name}'{hint}").ConfigureAwait(false);
                return;
            }
            hosts = [one];
        }
        var byMac = new Dictionary<MacAddress, DhcpLease>();
        foreach (var l in Leases())
            if (!byMac.TryGetValue(l.Mac, out var had) || l.ExpiresAt > had.ExpiresAt) byMac[l.Mac] = l;
        var phases = (recovery?.Snapshot ?? []).ToDictionary(r => r.Host, StringComparer.Ordinal);
        var recent = events.Recent();
        var replies = hosts.Select(h =>
        {
            var b = site.Resolve(h.Mac);
            var lease = byMac.TryGetValue(h.Mac, out var l) ? Lease(site, l, now) : null;
            var mine = recent.Where(e => string.Equals(e.Host, h.Name, StringComparison.OrdinalIgnoreCase)).ToList();
            var boot = mine.LastOrDefault(e => e.Kind is not (BootEventKind.Power or BootEventKind.Recovery or BootEventKind.Console or BootEventKind.Audit));
            var power = mine.LastOrDefault(e => e.Kind == BootEventKind.Power);
            var phase = phases.TryGetValue(h.Name, out var r) ? (r.Phase is { } p ? p.ToString().ToLowerInvariant() : $"not recovered: {r.Gap}") : null;
            return new HostReply(h.Name, h.Mac.ToString(), b.Fqdn, h.Location.ToString(), b.Network?.Name, h.Ip?.ToString() ?? lease?.Address, b.ProfileName,
                b.BootScriptUrl, b.OverlayUrl, [.. b.NfsRoots], h.Power?.Driver.ToString().ToLowerInvariant(), h.Console?.Describe(), lease, phase,
                boot is null ? null : Event(boot), power is null ? null : Event(power));
        }).ToArray();
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, replies, ControlJson.Default.HostReplyArray).ConfigureAwait(false);
    }

    private async Task DerivedAsync(HttpContext context, ControlCaller caller)
    {
        var site = state.Current;
        var who = context.Request.Query["host"].ToString();
        MacAddress mac;
        if (site.FindHost(who) is { } host) mac = host.Mac;
        else if (!MacAddress.TryParse(who, out mac))
        {
            var what = who.Length == 0 ? "host is missing: give a host's name or a MAC" : $"the site has no host named '{who}', and it is not a MAC address{site.HostHint(who)}";
            await ControlService.ReplyAsync(context, who.Length == 0 ? StatusCodes.Status400BadRequest : StatusCodes.Status404NotFound, what).ConfigureAwait(false);
            return;
        }
        var rows = HostReport.Rows(site, mac, Leases(), time.GetUtcNow());
        var reply = new HostDerivedReply(site.FindHost(mac)?.Name, mac.ToString(), [.. rows]);
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, reply, ControlJson.Default.HostDerivedReply).ConfigureAwait(false);
    }

    private Task LeasesAsync(HttpContext context, ControlCaller caller)
    {
        var site = state.Current;
        var now = time.GetUtcNow();
        var leases = Leases();
        // The names the box answers for pooled clients now, as its DNS chooses them from these leases.
        var pooled = site.Dns is null ? PooledNames.None : SiteZone.Build(site, leases, now).Pooled;
        var replies = leases.OrderBy(l => l.Address).Select(l => Lease(site, l, now, PooledDns(site, pooled, l))).ToArray();
        return ControlService.WriteAsync(context, StatusCodes.Status200OK, replies, ControlJson.Default.LeaseReplyArray);
    }

    /// <summary>What the box's DNS does with the name a pooled client gave: its name in the zone, or why not; null when it gave none.</summary>
    public static string? PooledDns(SiteInventory site, PooledNames pooled, DhcpLease l)
    {
        if (pooled.Published.Any(p => p.Address == l.Address && p.Label == l.HostName)) return $"{l.HostName}.{site.Site.Domain}";
        if (pooled.Refused.FirstOrDefault(r => r.Address == l.Address && r.Label == l.HostName) is { } r) return $"not in DNS: {r.Reason}";
        return null;
    }

    private static LeaseReply Lease(SiteInventory site, DhcpLease l, DateTimeOffset now, string? dns = null) =>
        new(l.Address.ToString(), l.Mac.ToString(), site.FindHost(l.Mac)?.Name, StateName(l, now), l.ExpiresAt, l.HostName, dns);

    /// <summary>The lease's state as <c>netbootpi leases</c> says it: a bound lease past its end is expired.</summary>
    public static string StateName(DhcpLease l, DateTimeOffset now) => l.State switch
    {
        DhcpLeaseState.Bound when l.ExpiresAt <= now => "expired",
        DhcpLeaseState.Bound => "bound",
        DhcpLeaseState.Released => "released",
        _ => "declined",
    };

    private static HostEventReply Event(BootEvent e) => new(e.Time, BootEvent.KindName(e.Kind), e.Path, e.Status);
}
