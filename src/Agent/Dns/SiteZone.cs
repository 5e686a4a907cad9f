using System.Collections.Frozen;
using System.Collections.Immutable;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Dns;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Dns;

/// <summary>
/// What the box is authoritative for, as a pure function of the site snapshot and the DHCP leases: the site's
/// domain (an A record for every host with an address, for the box on each of its networks but the WAN, for every
/// pooled client with a name (<see cref="PooledNames"/>), and <c>dns.records</c>)
/// and the reverse zone of every network but the WAN (a PTR for each of those addresses). Every zone has an SOA
/// and an NS naming the box. Built again when the site reloads and when a lease changes a name; lookups never change it.
/// </summary>
public sealed class SiteZone
{
    // SOA timers (RFC 1912 §2.2 ranges); nothing transfers these zones, they matter only to caches.
    private const uint Refresh = 3600, Retry = 600, Expire = 86400;
    private const int MaxCnameChain = 8;

    private readonly ImmutableArray<(string Origin, DnsRecord Soa)> _zones;
    private readonly FrozenDictionary<string, ImmutableArray<DnsRecord>> _records;
    private readonly FrozenSet<string> _names;

    private SiteZone(ImmutableArray<(string, DnsRecord)> zones, FrozenDictionary<string, ImmutableArray<DnsRecord>> records, FrozenSet<string> names)
    {
        _zones = zones;
        _records = records;
        _names = names;
    }

    public static readonly SiteZone Empty = new([], FrozenDictionary<string, ImmutableArray<DnsRecord>>.Empty, FrozenSet<string>.Empty);

    /// <summary>The zones' origins, longest first (forward domain and reverse zones).</summary>
    public IEnumerable<string> Origins => _zones.Select(z => z.Origin);

    /// <summary>The box's own name, <c>dns.name</c> in the site's domain; null without DNS.</summary>
    public string? ServerName { get; private init; }

    /// <summary>Every record, for <c>show</c> and tests: owner, then type.</summary>
    public IEnumerable<DnsRecord> Records => _records.Values.SelectMany(r => r).OrderBy(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.Type);

    /// <summary>The pooled clients' names in the zone, and those refused (see <see cref="PooledNames"/>).</summary>
    public PooledNames Pooled { get; private init; } = PooledNames.None;

    /// <summary>The site's zones alone, without pooled clients' names.</summary>
    public static SiteZone Build(SiteInventory site) => Build(site, [], default);

    /// <summary>The site's zones with the names of the pooled clients that hold <paramref name="leases"/> at <paramref name="now"/>.</summary>
    public static SiteZone Build(SiteInventory site, IEnumerable<DhcpLease> leases, DateTimeOffset now)
    {
        if (site.Dns is not { } dns || site.Site.Domain is not { } domain) return Empty;
        var ttl = (uint)dns.Ttl.TotalSeconds;
        var server = $"{dns.ServerName}.{domain}";
        var records = new Dictionary<string, List<DnsRecord>>(StringComparer.Ordinal);
        void Add(DnsRecord r)
        {
            var key = r.Name.ToLowerInvariant();
            if (!records.TryGetValue(key, out var list)) records[key] = list = [];
            if (!list.Contains(r)) list.Add(r);
        }

        var origins = new List<string> { domain };
        foreach (var network in site.Networks.Where(n => n.Role != NetworkRole.Wan))
        {
            if (ReverseNames.ZoneOf(network.Subnet) is { } zone && !origins.Contains(zone)) origins.Add(zone);
        }
        var reverse = origins.Skip(1).ToList();
        void AddPtr(Ipv4Address address, string target)
        {
            var name = ReverseNames.Of(address);
            if (reverse.Any(z => DnsName.IsAtOrBelow(name, z))) Add(DnsRecord.Ptr(name, ttl, target));
        }

        foreach (var network in site.Networks.Where(n => n.Role != NetworkRole.Wan && n.BoxAddress is not null))
        {
            Add(DnsRecord.A(server, ttl, network.BoxAddress!.Value));
            AddPtr(network.BoxAddress.Value, server);
        }
        foreach (var host in site.Hosts)
        {
            if (host.Ip is not { } ip) continue;
            var fqdn = $"{host.Name.ToLowerInvariant()}.{domain}";
            Add(DnsRecord.A(fqdn, ttl, ip));
            AddPtr(ip, fqdn);
        }
        foreach (var extra in dns.Records) Add(extra);

        // Pooled clients' names last, so that a name the site uses, or one under which the site has a name, stays the site's.
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var owner in records.Keys)
        {
            for (var n = owner; DnsName.IsAtOrBelow(n, domain) && n.Length > domain.Length; n = DnsName.Parent(n)) used.Add(n);
        }
        var pooled = PooledNames.Choose(site, leases, now, label => used.Contains($"{label}.{domain}".ToLowerInvariant()));
        foreach (var p in pooled.Published)
        {
            var fqdn = $"{p.Label}.{domain}";
            Add(DnsRecord.A(fqdn, ttl, p.Address));
            AddPtr(p.Address, fqdn);
        }

        // Serial: a checksum of the content, so that it changes exactly when an answer can (RFC 1982 arithmetic
        // is not needed: nothing transfers the zone; caches only compare it for equality).
        var serial = Serial(records);
        var zones = ImmutableArray.CreateBuilder<(string, DnsRecord)>();
        foreach (var origin in origins)
        {
            var soa = DnsRecord.Soa(origin, ttl, server, $"hostmaster.{domain}", serial, Refresh, Retry, Expire, ttl);
            Add(soa);
            Add(DnsRecord.Ns(origin, ttl, server));
            zones.Add((origin, soa));
        }

        // Every owner and every name between it and its zone's origin exists: an empty non-terminal such as
        // _tcp.DOMAIN (under _http._tcp.DOMAIN) answers NODATA, not NXDOMAIN (RFC 8020).
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var owner in records.Keys)
        {
            var zone = origins.Where(o => DnsName.IsAtOrBelow(owner, o)).MaxBy(o => o.Length);
            if (zone is null) continue;
            for (var n = owner; n.Length >= zone.Length; n = DnsName.Parent(n))
            {
                names.Add(n);
                if (n.Length == zone.Length) break;
            }
        }
        return new SiteZone([.. zones.OrderByDescending(z => z.Item1.Length)],
            records.ToFrozenDictionary(r => r.Key, r => r.Value.ToImmutableArray(), StringComparer.Ordinal),
            names.ToFrozenSet(StringComparer.Ordinal))
        { ServerName = server, Pooled = pooled };
    }

    private static uint Serial(Dictionary<string, List<DnsRecord>> records)
    {
        var hash = 2166136261u;
        foreach (var key in records.Keys.Order(StringComparer.Ordinal))
        {
            foreach (var r in records[key])
            {
                var text = $"{key} {r.Type} {Convert.ToHexString(r.Address.AsSpan())} {r.Target} {string.Join('|', r.Texts)} {r.Priority} {r.Weight} {r.Port}";
                foreach (var c in text) hash = (hash ^ c) * 16777619u;
            }
        }
        return hash & 0x7FFFFFFF;
    }

    /// <summary>
    /// The answer for <paramref name="name"/> (as the client spelled it) and <paramref name="type"/>. Answers owned
    /// by the queried name carry the client's spelling; a CNAME is followed inside the site's zones.
    /// </summary>
    public ZoneLookup Lookup(string name, DnsRecordType type)
    {
        var zone = FindZone(name);
        if (zone is not var (_, soa)) return ZoneLookup.NotOurs;
        var answers = new List<DnsRecord>();
        var owner = name;
        for (var hop = 0; hop <= MaxCnameChain; hop++)
        {
            var key = owner.ToLowerInvariant();
            if (!_names.Contains(key))
                return hop == 0 ? new(ZoneLookupKind.NameError, [], soa) : new(ZoneLookupKind.Answer, answers, null);
            var here = _records.GetValueOrDefault(key, []);
            var alias = here.FirstOrDefault(r => r.Type == DnsRecordType.CNAME);
            if (alias is not null && type is not DnsRecordType.CNAME and not DnsRecordType.ANY)
            {
                answers.Add(alias with { Name = owner });
                owner = alias.Target;
                // Outside the site's zones the client's resolver follows the alias on its own.
                if (FindZone(owner) is null) return new(ZoneLookupKind.Answer, answers, null);
                continue;
            }
            foreach (var r in here)
            {
                if (type == DnsRecordType.ANY || r.Type == type) answers.Add(r with { Name = owner });
            }
            if (answers.Count == 0) return new(ZoneLookupKind.NoData, [], soa);
            return new(ZoneLookupKind.Answer, answers, null);
        }
        return new(ZoneLookupKind.Answer, answers, null);
    }

    private (string Origin, DnsRecord Soa)? FindZone(string name)
    {
        foreach (var z in _zones)
        {
            if (DnsName.IsAtOrBelow(name, z.Origin)) return z;
        }
        return null;
    }
}
