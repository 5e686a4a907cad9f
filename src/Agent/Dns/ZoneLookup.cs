using NetbootPi.Protocols.Dns;

namespace NetbootPi.Agent.Dns;

/// <summary>The answer of <see cref="SiteZone.Lookup"/>: the records, and the zone's SOA for negative answers.</summary>
public readonly record struct ZoneLookup(ZoneLookupKind Kind, IReadOnlyList<DnsRecord> Answers, DnsRecord? Soa)
{
    public static readonly ZoneLookup NotOurs = new(ZoneLookupKind.NotOurs, [], null);
}
