using System.Net;

namespace NetbootPi.Agent.Dns;

/// <summary>How the DNS service runs: on the site's networks, or (tests, labs) on one address and port instead.</summary>
/// <param name="Listen">Instead of port 53 on the networks from <see cref="DnsListenPlan"/>: this address and port (<c>run --dns-listen</c>).</param>
public sealed record DnsServiceOptions(IPEndPoint? Listen = null);
