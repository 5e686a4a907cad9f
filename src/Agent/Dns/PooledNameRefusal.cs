using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Dns;

/// <summary>A name a pooled client asked for that the box does not publish, and why.</summary>
/// <param name="Taken">The name is the site's (a host, the box, a <c>dns.records</c> name), not another client's.</param>
/// <param name="Reason">A sentence part saying who has the name, for the log.</param>
public sealed record PooledNameRefusal(string Label, Ipv4Address Address, MacAddress Mac, bool Taken, string Reason);
