using System.Globalization;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Render.WireGuard;

/// <summary>
/// The peers file (<c>wireguard.peers_file</c>) as <c>netbootpi wg peer</c> writes it: the peers that live there,
/// in order, each with what the site reader reads back. A pure function; values are quoted so no key or path
/// can be read as anything but a string.
/// </summary>
public static class PeersFileText
{
    public static string Render(string siteName, IEnumerable<WireGuardPeer> peers)
    {
        var w = new LineWriter();
        w.Line($"# The WireGuard peers of site {siteName}, beside its site file (wireguard.peers_file).");
        w.Line("# Written by 'netbootpi wg peer add|remove|enable|disable'; edits by hand are kept, comments are not (docs/wireguard.md).");
        var list = peers.ToList();
        if (list.Count == 0)
        {
            w.Line("peers: {}");
            return w.ToString();
        }
        w.Line("peers:");
        foreach (var p in list)
        {
            w.Line($"  {p.Name}:");
            w.Line($"    public_key: \"{p.PublicKey}\"");
            w.Line($"    address: {p.Address}");
            if (p.AllowedIps.Length > 0) w.Line($"    allowed_ips: [{string.Join(", ", p.AllowedIps)}]");
            if (p.PresharedKeyFile is { } psk) w.Line($"    preshared_key_file: \"{psk.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
            if (p.Keepalive is { } k) w.Line(string.Create(CultureInfo.InvariantCulture, $"    keepalive: {k}"));
            if (!p.Enabled) w.Line("    enabled: false");
        }
        return w.ToString();
    }
}
