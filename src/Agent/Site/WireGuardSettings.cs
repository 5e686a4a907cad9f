using System.Collections.Immutable;
using NetbootPi.Agent.WireGuard;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

/// <summary>
/// The <c>wireguard:</c> section: the box's tunnel for operators and their laptops (docs/wireguard.md). The box's
/// private key is not here: it is made in the state directory (<see cref="WireGuardKeyFile"/>).
/// </summary>
/// <param name="Interface">The tunnel's interface, <c>wg0</c> unless the site names another.</param>
/// <param name="Address">The box's address in the tunnel, with the tunnel's prefix (its subnet).</param>
/// <param name="Endpoint">HOST:PORT that peers dial (printed into their configs); null when the site names none.</param>
/// <param name="Reach">The site networks peers may reach: the box's address there, and (routed) the network itself.</param>
/// <param name="Dns">Resolvers for the peers' configs (<c>DNS =</c>).</param>
/// <param name="Masquerade">Tunnel traffic into the reached networks leaves with the box's address there, so their
/// machines need no route back to the tunnel.</param>
/// <param name="PeersFile">The file <c>netbootpi wg peer</c> writes, absolute; its peers join <see cref="Peers"/>.</param>
public sealed record WireGuardSettings(
    string Interface,
    int ListenPort,
    Ipv4Interface Address,
    string? Endpoint,
    ImmutableArray<string> Reach,
    ImmutableArray<Ipv4Address> Dns,
    bool Masquerade,
    string PeersFile,
    ImmutableArray<WireGuardPeer> Peers,
    SourceLocation Location)
{
    public const string DefaultInterface = "wg0";
    public const int DefaultListenPort = 51820;
    public const string DefaultPeersFile = "wireguard-peers.yaml";

    /// <summary>The tunnel's subnet, from which peers' addresses come.</summary>
    public Ipv4Network Subnet => Address.Network;

    /// <summary>The peers the box accepts now (<c>enabled: true</c>).</summary>
    public IEnumerable<WireGuardPeer> EnabledPeers => Peers.Where(p => p.Enabled);

    public WireGuardPeer? FindPeer(string name) => Peers.FirstOrDefault(p => p.Name == name);
}
