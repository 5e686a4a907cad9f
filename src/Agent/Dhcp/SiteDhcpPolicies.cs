using System.Runtime.CompilerServices;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Dhcp.Server;

namespace NetbootPi.Agent.Dhcp;

/// <summary>
/// The policy of the current site snapshot, derived once per snapshot: a reload takes effect on the next request,
/// and a request in flight keeps the snapshot it started with.
/// </summary>
public sealed class SiteDhcpPolicies(SiteState state) : IDhcpPolicySource
{
    private static readonly ConditionalWeakTable<SiteInventory, SiteDhcpPolicy> Cache = new();

    public IDhcpPolicy Current => Cache.GetValue(state.Current, static s => new SiteDhcpPolicy(s));
}
