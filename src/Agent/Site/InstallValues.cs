using System.Globalization;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

/// <summary>
/// The values an install file is made of, by the names templates use (<see cref="InstallTemplate.Names"/>): one
/// lookup for the renderers and for the site reader's check that each host's template has what it names.
/// </summary>
public static class InstallValues
{
    /// <summary>
    /// <paramref name="binding"/>'s values; a name maps to null when the host has no such value (a DHCP host's
    /// <c>host.ip</c>, a site without a domain).
    /// </summary>
    public static Func<string, string?> For(SiteInventory site, HostBinding binding, string boxUrl, string doneUrl)
    {
        var install = binding.Profile?.Install;
        var network = binding.Network;
        var ip = binding.StaticAddress;
        var dns = network is null ? [] : site.DnsServersFor(network);
        return name => name switch
        {
            "host.name" => binding.Host?.Name,
            "host.fqdn" => binding.Fqdn,
            "host.mac" => binding.Mac.ToString(),
            "host.ip" => ip?.ToString(),
            "host.prefix" => ip is null || network is null ? null : network.Subnet.PrefixLength.ToString(CultureInfo.InvariantCulture),
            "host.netmask" => ip is null || network is null ? null : network.Subnet.Mask.ToString(),
            "host.gateway" => network?.Dhcp.Router?.ToString(),
            "host.dns" => dns.IsEmpty ? null : string.Join(' ', dns),
            "site.name" => site.Site.Name,
            "site.domain" => site.Site.Domain,
            "box.url" => boxUrl,
            "install.disk" => install?.Disk,
            "install.timezone" => install?.TimeZone,
            "install.user" => install?.User,
            "install.done_url" => doneUrl,
            _ => null,
        };
    }

    /// <summary>Why a name can have no value, for the site reader's error.</summary>
    public static string Why(string name) => name switch
    {
        "host.ip" or "host.prefix" or "host.netmask" => "it has no static address: give it ip: ADDRESS, or leave the name out",
        "host.gateway" => "its network names no router: set dhcp.router there",
        "host.dns" => "its network names no DNS server and the box answers no DNS there: set dhcp.dns or a dns: section",
        "site.domain" => "the site has no domain: set site.domain",
        "install.disk" => "its install names no disk",
        _ => "the site does not say",
    };

    /// <summary>The MAC as install paths carry it: <c>84-8f-69-e0-d4-0f</c>, nothing a URL or command line treats specially.</summary>
    public static string PathMac(MacAddress mac) => mac.ToString(MacFormat.Hyphen);
}
