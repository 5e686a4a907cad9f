using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

/// <summary>
/// One entry of <c>networks:</c>. An attached network is a (possibly VLAN-tagged) interface and the box's
/// address on it. A relayed network (<c>relay: true</c>) is only its clients' subnet: the box is not on it and
/// hears its clients through DHCP relays, answering them from the address each relay forwards to.
/// </summary>
public sealed record NetworkConfig(
    string Name,
    string? ParentInterface,
    int? Vlan,
    Ipv4Interface? Address,
    Ipv4Network Subnet,
    Ipv4Address? Gateway,
    DhcpSettings Dhcp,
    SourceLocation Location)
{
    /// <summary>An attached network on <paramref name="parentInterface"/> (and <paramref name="vlan"/>) where the box has <paramref name="address"/>.</summary>
    public static NetworkConfig Attached(string name, string parentInterface, int? vlan, Ipv4Interface address,
        Ipv4Address? gateway, DhcpSettings dhcp, SourceLocation location) =>
        new(name, parentInterface, vlan, address, address.Network, gateway, dhcp, location);

    /// <summary>A network the box reaches only through DHCP relays.</summary>
    public static NetworkConfig Relayed(string name, Ipv4Network subnet, DhcpSettings dhcp, SourceLocation location) =>
        new(name, null, null, null, subnet, null, dhcp, location);

    /// <summary>What the network is for (<c>role:</c>, or the default the site reader gives it).</summary>
    public NetworkRole Role { get; init; }

    /// <summary>True for a network the box is not on: its DHCP requests arrive through relays.</summary>
    public bool IsRelayed => Address is null;

    /// <summary>
    /// The Linux interface the box uses: <c>eth0</c>, or <c>eth0.69</c> for VLAN 69 on eth0; null for a relayed network.
    /// </summary>
    public string? Interface => ParentInterface is null ? null : Vlan is { } id ? $"{ParentInterface}.{id}" : ParentInterface;

    /// <summary>
    /// The box's own address on this network; null for a relayed network, whose clients reach the box at the
    /// address their relay forwards to (known per request, not from the site file).
    /// </summary>
    public Ipv4Address? BoxAddress => Address?.Address;
}
