using System.Collections.Immutable;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

/// <summary>The <c>site:</c> section.</summary>
public sealed record SiteSettings(
    string Name,
    string? Domain,
    ImmutableArray<Ipv4Address> UpstreamDns,
    ImmutableArray<string> SshKeys);
