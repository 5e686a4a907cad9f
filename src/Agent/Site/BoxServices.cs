namespace NetbootPi.Agent.Site;

/// <summary>Which of the box's services answer on which network: the firewall section, or else the role's defaults.</summary>
public static class BoxServices
{
    /// <summary>
    /// The services that answer on <paramref name="network"/>, in a fixed order. <c>firewall.allow</c> for the
    /// network replaces the defaults, which are by role: on a boot network DHCP (when it serves DHCP, or the site
    /// has relayed networks whose relays forward to the box there), TFTP, HTTP and ping; on the management network
    /// SSH, ping and the control API, plus DHCP, TFTP and HTTP when it serves DHCP (a site on one flat network) and DHCP when the
    /// site has relayed networks; on a WAN nothing; on any other network ping. A relayed network's machines reach
    /// TFTP and HTTP from their subnet, through their router, on the interfaces of the boot and management networks.
    /// </summary>
    public static IReadOnlyList<BoxService> On(SiteInventory site, NetworkConfig network)
    {
        if (network.IsRelayed) return [BoxService.Tftp, BoxService.Http];
        if (site.Firewall.Allow.TryGetValue(network.Name, out var explicitly)) return [.. explicitly.Distinct().Order()];
        // A relay forwards to one of the box's addresses; a relay is told one on a boot or management network
        // (docs/network.md), so DHCP from relays is heard there and nowhere else.
        var relays = site.Networks.Any(n => n.IsRelayed);
        var serves = network.Dhcp.Mode != DhcpMode.Off;
        var list = new List<BoxService>();
        switch (network.Role)
        {
            case NetworkRole.Boot:
                if (serves || relays) list.Add(BoxService.Dhcp);
                list.AddRange([BoxService.Tftp, BoxService.Http, BoxService.Ping]);
                break;
            case NetworkRole.Management:
                if (serves) list.AddRange([BoxService.Dhcp, BoxService.Tftp, BoxService.Http]);
                else if (relays) list.Add(BoxService.Dhcp);
                list.AddRange([BoxService.Ssh, BoxService.Ping, BoxService.Api]);
                break;
            case NetworkRole.Other:
                list.Add(BoxService.Ping);
                break;
            case NetworkRole.Wan:
                break;
        }
        if (site.Dns?.ListensOn(network) == true) list.Add(BoxService.Dns);
        return [.. list.Order()];
    }
}
