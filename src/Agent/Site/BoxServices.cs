namespace NetbootPi.Agent.Site;

/// <summary>Which of the box's services answer on which network: the firewall section, or else the role's defaults.</summary>
public static class BoxServices
{
    /// <summary>
    /// The services that answer on <paramref name="network"/>, in a fixed order. Defaults: on a boot network, DHCP
    /// (when it serves DHCP, or the site has relayed networks whose relays may forward to it), TFTP, HTTP and
    /// ping; on the management network SSH and ping, plus the boot services when it serves DHCP; on a WAN nothing;
    /// elsewhere ping.
    /// </summary>
    public static IReadOnlyList<BoxService> On(SiteInventory site, NetworkConfig network)
    {
        if (site.Firewall.Allow.TryGetValue(network.Name, out var explicitly)) return [.. explicitly.Distinct().Order()];
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
                list.AddRange([BoxService.Ssh, BoxService.Ping]);
                break;
            case NetworkRole.Other:
                if (relays) list.Add(BoxService.Dhcp);
                list.Add(BoxService.Ping);
                break;
            case NetworkRole.Wan:
                break;
        }
        return [.. list.Order()];
    }
}
