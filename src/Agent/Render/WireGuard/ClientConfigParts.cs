namespace NetbootPi.Agent.Render.WireGuard;

/// <summary>
/// A peer's client config but its secrets: its name and the site's, its tunnel address, the resolvers and search
/// domain, the box's public key and endpoint, what it routes into the tunnel, its keepalive. The agent hands these
/// out (<c>POST /api/v1/wireguard/peers</c>); the CLI adds the keys it made itself and writes the config.
/// </summary>
public sealed record ClientConfigParts(string Peer, string Site, string Address, string[] Dns, string? Domain, string BoxPublicKey, string Endpoint,
    string[] AllowedIps, int Keepalive);
