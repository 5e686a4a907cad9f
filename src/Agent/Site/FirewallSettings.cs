using System.Collections.Immutable;

namespace NetbootPi.Agent.Site;

/// <summary>
/// The <c>firewall:</c> section. What is not said follows from the networks' roles (see <see cref="BoxServices"/>):
/// the box answers only its own services, each on the networks it is meant for, and routes nothing.
/// </summary>
/// <param name="Allow">Per network, the services that answer there, replacing the role's defaults.</param>
/// <param name="Masquerade">Networks whose traffic may leave through the WAN networks with the box's address.</param>
/// <param name="Forward">Routing the box does between its networks, besides masquerading.</param>
public sealed record FirewallSettings(
    ImmutableDictionary<string, ImmutableArray<BoxService>> Allow,
    ImmutableArray<string> Masquerade,
    ImmutableArray<ForwardRule> Forward)
{
    public static readonly FirewallSettings Default = new(ImmutableDictionary<string, ImmutableArray<BoxService>>.Empty, [], []);
}
