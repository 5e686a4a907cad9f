namespace NetbootPi.Agent.Apply.Network;

/// <summary>
/// Refuses a network change that would cut operators off the box: the management network losing the address
/// they reach the box at (moved to another address, interface or VLAN), or the firewall no longer letting SSH in
/// there. Forcing skips it; the confirm window still puts the old network back if nobody confirms.
/// </summary>
public static class LockoutGuard
{
    /// <summary>Why <paramref name="next"/> would lock operators out coming from <paramref name="running"/>; null when it would not.</summary>
    /// <param name="running">The network operators reach the box through now (the last confirmed); null before the first.</param>
    public static string? Check(NetworkWanted? running, NetworkWanted next)
    {
        // Backend none leaves the network as it is: nothing of ours changes, so nothing of ours can lock anyone out.
        if (next.Backend == Site.NetworkBackend.None) return null;
        if (next.Management is not { } m) return "the site has no management network: nothing says where operators reach the box";
        if (!m.Ssh)
            return $"SSH would no longer be allowed on the management network {m.Network} ({m.Interface}): firewall.allow.{m.Network} must list ssh";
        if (running?.Management is { } was && (was.Interface != m.Interface || was.Address != m.Address))
            return $"the management network would move from {was.Address} on {was.Interface} to {m.Address} on {m.Interface}: " +
                   $"a session to {AddressOnly(was.Address)} would be cut";
        return null;
    }

    private static string AddressOnly(string cidr) => cidr.Split('/')[0];
}
