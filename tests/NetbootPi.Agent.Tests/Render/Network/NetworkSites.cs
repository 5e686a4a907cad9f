using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Site;

namespace NetbootPi.Agent.Tests.Render.Network;

/// <summary>The sites the network renderers are checked on, by the name of their golden files (Golden/network/NAME.*).</summary>
internal static class NetworkSites
{
    private const string Tail = """
        profiles:
          p: { local: true }
        defaults: { profile: p }
        """;

    /// <summary>
    /// Several VLANs on one interface with nothing untagged on it (eth0, written out of order), and an interface with
    /// a network untagged on it and a VLAN on top (eth1).
    /// </summary>
    public const string Trunks = """
        site: { name: trunks, domain: trunks.example, upstream_dns: [9.9.9.9, 149.112.112.112] }
        networks:
          lab:   { interface: eth0, vlan: 30, address: 10.30.0.1/16, dhcp: { mode: authoritative, range: 10.30.1.1-10.30.1.200 } }
          build: { interface: eth0, vlan: 10, address: 10.10.0.1/16, dhcp: { mode: authoritative, range: 10.10.1.1-10.10.1.200 } }
          store: { role: other, interface: eth0, vlan: 20, address: 10.20.0.1/24 }
          mgmt:  { role: management, interface: eth1, address: 192.168.1.2/24 }
          up:    { role: wan, interface: eth1, vlan: 4094, address: 203.0.113.2/29, gateway: 203.0.113.1 }
        """ + "\n" + Tail;

    /// <summary>One flat network: the box's only one, its management network, where machines boot too.</summary>
    public const string Flat = """
        site: { name: flat, domain: flat.example, upstream_dns: [192.168.0.1] }
        networks:
          lan: { interface: end0, address: 192.168.0.2/24, dhcp: { mode: authoritative, range: 192.168.0.100-192.168.0.199, router: 192.168.0.1 } }
        """ + "\n" + Tail;

    /// <summary>Relayed networks beside the box's own: their machines reach TFTP and HTTP through a router.</summary>
    public const string Relayed = """
        site: { name: campus }
        networks:
          core: { role: boot, interface: eth0, address: 10.0.0.2/24 }
          ops:  { role: management, interface: eth0, vlan: 5, address: 10.5.0.2/24 }
          lab2: { relay: true, subnet: 10.70.0.0/16, dhcp: { mode: authoritative, range: 10.70.1.100-10.70.1.199, router: 10.70.0.1 } }
          lab3: { relay: true, subnet: 10.71.0.0/24, dhcp: { mode: authoritative } }
        """ + "\n" + Tail;

    /// <summary>Interface names with characters systemd escapes in unit names (<c>-</c>, <c>@</c>) and some it keeps (<c>_</c>, <c>.</c>).</summary>
    public const string Escaping = """
        site: { name: escaping }
        networks:
          mgmt:   { role: management, interface: br-lan, address: 192.168.7.1/24 }
          pxe:    { interface: lan-trunk, vlan: 101, address: 10.101.0.1/24, dhcp: { mode: proxy } }
          guests: { interface: lan-trunk, vlan: 102, address: 10.102.0.1/24 }
          uplink: { role: wan, interface: wan_0@usb, address: 198.51.100.7/24, gateway: 198.51.100.1 }
        """ + "\n" + Tail;

    /// <summary>
    /// A firewall that says everything: allow overriding roles' defaults (and closing a boot network), forwarding
    /// both ways between two networks, two networks masqueraded (one also forwarded there by name), a proxy-mode
    /// network, a port of its own for HTTP.
    /// </summary>
    public const string Firewall = """
        site: { name: fw, domain: fw.example, upstream_dns: [1.1.1.1] }
        server: { http_port: 8080 }
        networks:
          lan:   { interface: eth0, vlan: 69, address: 10.69.0.1/16, dhcp: { mode: authoritative, range: 10.69.10.1-10.69.20.254 } }
          pxe:   { interface: eth0, vlan: 70, address: 10.70.0.1/24, dhcp: { mode: proxy } }
          mgmt:  { role: management, interface: eth0, address: 192.168.69.1/24 }
          lab:   { role: other, interface: eth1, address: 172.16.0.1/24 }
          quiet: { role: boot, interface: eth1, vlan: 9, address: 172.17.0.1/24 }
          wan:   { role: wan, interface: eth0, vlan: 420, address: 134.226.83.42/24, gateway: 134.226.83.1 }
        firewall:
          allow:
            mgmt: [ssh, ping, http]
            lab: [ssh]
            wan: [ping]
            quiet: []
          masquerade: [lan, mgmt]
          forward:
            - { from: mgmt, to: lab }
            - { from: lab, to: mgmt }
            - { from: mgmt, to: wan }
        """ + "\n" + Tail;

    /// <summary>
    /// A WireGuard tunnel reaching the management network and one other: a laptop, a disabled phone, a branch
    /// router with a network behind it, a preshared key and keepalive; the boot network stays closed to peers.
    /// </summary>
    public const string Tunnel = """
        site: { name: tunnel, domain: tunnel.example, upstream_dns: [1.1.1.1] }
        networks:
          mgmt: { role: management, interface: eth0, address: 192.168.10.2/24 }
          lab:  { role: other, interface: eth0, vlan: 20, address: 10.20.0.1/24 }
          boot: { interface: eth1, address: 10.69.0.1/16, dhcp: { mode: authoritative, range: 10.69.1.1-10.69.1.200 } }
          up:   { role: wan, interface: eth2, address: 203.0.113.2/29, gateway: 203.0.113.1 }
        wireguard:
          address: 10.99.0.1/24
          endpoint: vpn.tunnel.example:51820
          reach: [mgmt, lab]
          dns: [192.168.10.2]
          peers:
            alice-laptop: { public_key: OMAyuhcp2GdX3wXcsiD7BP4Kzxh3Vz9MMClgV1S5gH0=, address: 10.99.0.2 }
            bob-phone: { public_key: hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=, address: 10.99.0.3, enabled: false }
            branch:
              public_key: 3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=
              address: 10.99.0.10
              allowed_ips: [192.168.50.0/24, 192.168.51.0/24]
              preshared_key_file: /var/lib/netbootpi/wireguard/branch.psk
              keepalive: 25
        """ + "\n" + Tail;

    /// <summary>Every site with its golden name; the example site is netsoc.</summary>
    public static IEnumerable<(string Name, string Text)> All()
    {
        yield return ("netsoc", SiteText.Example);
        yield return ("trunks", Trunks);
        yield return ("flat", Flat);
        yield return ("relayed", Relayed);
        yield return ("escaping", Escaping);
        yield return ("firewall", Firewall);
        yield return ("tunnel", Tunnel);
    }

    public static TheoryData<string> Names() => [.. All().Select(s => s.Name)];

    public static SiteInventory Load(string name)
    {
        var result = SiteText.Load(All().Single(s => s.Name == name).Text);
        Assert.Empty(result.Errors);
        return result.Inventory!;
    }
}
