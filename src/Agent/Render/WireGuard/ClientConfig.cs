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
    /// <param name="privateKey">The peer's private key, when the box made it; null writes a placeholder line the
    /// user fills in with the key they made themselves.</param>
    /// <param name="presharedKey">The preshared key, when the peer has one.</param>
    public static string Render(SiteInventory site, WireGuardPeer peer, WireGuardKey boxPublicKey, WireGuardSecret? privateKey, WireGuardSecret? presharedKey)
    {
        var wg = site.WireGuard ?? throw new ArgumentException("the site has no wireguard section", nameof(site));
        var w = new LineWriter();
        w.Line($"# {peer.Name}: WireGuard access to site {site.Site.Name} (written by netbootpi wg peer add)");
        w.Line("[Interface]");
        w.Line(privateKey is null ? "# PrivateKey = the private key whose public key you gave (wg genkey)" : $"PrivateKey = {privateKey.RevealBase64()}");
        w.Line($"Address = {peer.Address}/32");
        var dns = Resolvers(site, wg);
        if (dns.Count > 0) w.Line($"DNS = {string.Join(", ", dns)}{(site.Site.Domain is { } domain ? $", {domain}" : "")}");
        w.Blank();
        w.Line("[Peer]");
        w.Line($"PublicKey = {boxPublicKey}");
        if (presharedKey is not null) w.Line($"PresharedKey = {presharedKey.RevealBase64()}");
        w.Line($"Endpoint = {wg.Endpoint}");
        // The tunnel itself and the networks the site opens to peers: everything else stays on the peer's own way out.
        var reached = wg.Reach.Select(r => site.FindNetwork(r)!.Subnet.ToString());
        w.Line($"AllowedIPs = {string.Join(", ", new[] { wg.Subnet.ToString() }.Concat(reached))}");
        // A laptop is usually behind NAT: its keepalive keeps the box able to reach it.
        w.Line($"PersistentKeepalive = {peer.Keepalive ?? 25}");
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
