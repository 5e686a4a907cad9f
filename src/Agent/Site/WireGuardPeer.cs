using System.Collections.Immutable;
using NetbootPi.Agent.WireGuard;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

/// <summary>One peer of the box's tunnel: a laptop, a phone, another site's router.</summary>
/// <param name="Address">Its address in the tunnel.</param>
/// <param name="AllowedIps">Networks behind the peer that the box routes to it, besides its tunnel address.</param>
/// <param name="PresharedKeyFile">A file holding a preshared key (base64), for a second, symmetric layer; null: none.</param>
/// <param name="Keepalive">Seconds between keepalives the box sends (a peer behind NAT sends its own); null: none.</param>
/// <param name="File">The file the peer is written in: the site file, or the peers file.</param>
public sealed record WireGuardPeer(
    string Name,
    WireGuardKey PublicKey,
    Ipv4Address Address,
    ImmutableArray<Ipv4Network> AllowedIps,
    string? PresharedKeyFile,
    int? Keepalive,
    bool Enabled,
    SourceLocation Location,
    string File)
{
    /// <summary>Everything the box sends to this peer: its tunnel address, then the networks behind it.</summary>
    public IEnumerable<Ipv4Network> Routes => [new Ipv4Network(Address, 32), .. AllowedIps];
}
