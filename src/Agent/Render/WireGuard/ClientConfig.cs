using NetbootPi.Agent.Dns;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.WireGuard;

namespace NetbootPi.Agent.Render.WireGuard;

/// <summary>
/// A peer's own config in the format of the official WireGuard clients and <c>wg-quick</c>: its key and tunnel
/// address, the box as its one peer with the networks the site opens to peers. A pure function of the site.
/// </summary>
public static class ClientConfig
{
    /// <summary>What a peer's config holds but its secrets, from the site: the pieces the agent hands out over its API.</summary>
    public static ClientConfigParts Parts(SiteInventory site, WireGuardPeer peer, WireGuardKey boxPublicKey)
    {
        var wg = site.WireGuard ?? throw new ArgumentException("the site has no wireguard section", nameof(site));
        // The tunnel itself and the networks the site opens to peers: everything else stays on the peer's own way out.
        var reached = wg.Reach.Select(r => site.FindNetwork(r)!.Subnet.ToString());
        // A laptop is usually behind NAT: its keepalive keeps the box able to reach it.
        return new ClientConfigParts(peer.Name, site.Site.Name, $"{peer.Address}/32", [.. Resolvers(site, wg)], site.Site.Domain, boxPublicKey.ToString(),
            wg.Endpoint ?? throw new ArgumentException("the site's wireguard has no endpoint", nameof(site)),
            [wg.Subnet.ToString(), .. reached], peer.Keepalive ?? 25);
    }

    /// <param name="parts">The config's pieces (<see cref="Parts"/>, here or from the agent).</param>
    /// <param name="privateKey">The peer's private key, when the box made it; null writes a placeholder line the
    /// user fills in with the key they made themselves.</param>
    /// <param name="presharedKey">The preshared key, when the peer has one.</param>
    public static string Render(ClientConfigParts parts, WireGuardSecret? privateKey, WireGuardSecret? presharedKey)
    {
        var w = new LineWriter();
        w.Line($"# {parts.Peer}: WireGuard access to site {parts.Site} (written by netbootpi wg peer add)");
        w.Line("[Interface]");
        w.Line(privateKey is null ? "# PrivateKey = the private key whose public key you gave (wg genkey)" : $"PrivateKey = {privateKey.RevealBase64()}");
        w.Line($"Address = {parts.Address}");
        if (parts.Dns.Length > 0) w.Line($"DNS = {string.Join(", ", parts.Dns)}{(parts.Domain is { } domain ? $", {domain}" : "")}");
        w.Blank();
        w.Line("[Peer]");
        w.Line($"PublicKey = {parts.BoxPublicKey}");
        if (presharedKey is not null) w.Line($"PresharedKey = {presharedKey.RevealBase64()}");
        w.Line($"Endpoint = {parts.Endpoint}");
        w.Line($"AllowedIPs = {string.Join(", ", parts.AllowedIps)}");
        w.Line($"PersistentKeepalive = {parts.Keepalive}");
        return w.ToString();
    }

    /// <summary>
    /// <c>wireguard.dns</c>; without it, the box itself where it answers DNS on a network peers reach (its address
    /// there), so a laptop resolves the site's names through the tunnel; otherwise none.
    /// </summary>
    internal static IReadOnlyList<string> Resolvers(SiteInventory site, WireGuardSettings wg) =>
        wg.Dns.Length > 0
            ? [.. wg.Dns.Select(a => a.ToString())]
            : [.. DnsListenPlan.For(site).Where(l => wg.Reach.Contains(l.Network.Name)).Select(l => l.Address.ToString())];
}
