using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Dns;

/// <summary>A pooled client's name in the site's domain (<see cref="Label"/>.DOMAIN), published while its lease lasts.</summary>
/// <param name="FromSite">The name is the site file's for this MAC (a host without an address), not the client's own.</param>
public sealed record PooledName(string Label, Ipv4Address Address, MacAddress Mac, DateTimeOffset ExpiresAt, bool FromSite);
