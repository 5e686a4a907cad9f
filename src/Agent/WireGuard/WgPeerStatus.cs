using System.Globalization;

namespace NetbootPi.Agent.WireGuard;

/// <summary>
/// One peer as the kernel sees it, from <c>wg show INTERFACE dump</c>: where it was last heard from, its latest
/// handshake and the bytes both ways. The dump's secrets (the interface's private key on its first line, each
/// peer's preshared key) are dropped as the text is read, never kept.
/// </summary>
public sealed record WgPeerStatus(WireGuardKey PublicKey, string? Endpoint, DateTimeOffset? LatestHandshake, long ReceivedBytes, long SentBytes)
{
    /// <summary>
    /// The peers in a dump: after the interface's own line, per peer the fields public-key, preshared-key, endpoint,
    /// allowed-ips, latest-handshake, transfer-rx, transfer-tx, persistent-keepalive, separated by tabs.
    /// Lines that are not that shape are skipped.
    /// </summary>
    public static IReadOnlyList<WgPeerStatus> ParseDump(string dump)
    {
        var result = new List<WgPeerStatus>();
        var lines = dump.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split('\t');
            if (f.Length != 8 || !WireGuardKey.TryParse(f[0], out var key, out _)) continue;
            var endpoint = f[2] == "(none)" ? null : f[2];
            long.TryParse(f[4], NumberStyles.None, CultureInfo.InvariantCulture, out var handshake);
            long.TryParse(f[5], NumberStyles.None, CultureInfo.InvariantCulture, out var rx);
            long.TryParse(f[6], NumberStyles.None, CultureInfo.InvariantCulture, out var tx);
            result.Add(new WgPeerStatus(key, endpoint, handshake > 0 ? DateTimeOffset.FromUnixTimeSeconds(handshake) : null, rx, tx));
        }
        return result;
    }

    /// <summary>How long after its latest handshake a peer still counts as up: WireGuard rekeys every 2 minutes while traffic flows.</summary>
    public static readonly TimeSpan UpWindow = TimeSpan.FromSeconds(180);

    /// <summary>
    /// A peer's state in one word: disabled (the site keeps it off), missing (not on the interface), never (no
    /// handshake yet), up (one within <see cref="UpWindow"/>), idle.
    /// </summary>
    public static string StateOf(bool enabled, WgPeerStatus? status, DateTimeOffset now) =>
        !enabled ? "disabled"
        : status is null ? "missing"
        : status.LatestHandshake is not { } h ? "never"
        : now - h < UpWindow ? "up" : "idle";
}
