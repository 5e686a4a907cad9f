using System.Text.Json.Serialization;
using NetbootPi.Agent.Render.WireGuard;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Control;

/// <summary>
/// POST /api/v1/wireguard/peers: a new peer by its name and public key (the peer, or the CLI for it, made the key
/// pair: the private half never reaches the box), its tunnel address (null: the first free one), and a preshared
/// key the caller made, kept by the box in its state directory (null: none).
/// </summary>
internal sealed record WireGuardPeerAddRequest(string Name, string PublicKey, string? Address = null, string? PresharedKey = null);

/// <summary>POST /api/v1/wireguard/peers/remove, /enable, /disable: the peer's name.</summary>
internal sealed record WireGuardPeerNameRequest(string Name);

/// <summary>
/// One peer: its name, tunnel address, public key, whether it is enabled and has a preshared key, where it is
/// written; and as the kernel sees it: its state (up: a handshake in the last 3 minutes; idle; never; missing: not on
/// the interface; disabled; in the reply to a change only enabled or disabled), where it was last heard from, its latest handshake, bytes in and out.
/// </summary>
internal sealed record WireGuardPeerReply(string Name, string Address, string PublicKey, bool Enabled, bool PresharedKey, string DefinedAt, string State,
    string? Endpoint, DateTimeOffset? LatestHandshake, long ReceivedBytes, long SentBytes);

/// <summary>GET /api/v1/wireguard/peers: the tunnel (interface, the box's address, the endpoint peers dial, the peers file), why the kernel could not be asked (null: it was), the peers, and the UDP port the box listens on (the endpoint's may be another one forwarded to it).</summary>
internal sealed record WireGuardReply(string Interface, string Address, string? Endpoint, string PeersFile, string? KernelError, WireGuardPeerReply[] Peers,
    int ListenPort = WireGuardSettings.DefaultListenPort);

/// <summary>A peer changed: what was done, whether the agent runs the changed site now (and its errors if not), the peer as it is now (null once removed), and for a new peer its client config's pieces but the secrets.</summary>
internal sealed record WireGuardChangeReply(string Message, bool Reloaded, SiteErrorReply[] Errors, WireGuardPeerReply? Peer, ClientConfigParts? Client);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(WireGuardPeerAddRequest))]
[JsonSerializable(typeof(WireGuardPeerNameRequest))]
[JsonSerializable(typeof(WireGuardReply))]
[JsonSerializable(typeof(WireGuardChangeReply))]
internal sealed partial class WireGuardJson : JsonSerializerContext;
