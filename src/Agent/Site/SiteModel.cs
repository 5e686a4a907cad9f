using System.Collections.Immutable;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

// The validated site, as every component reads it. Records are immutable; a reload builds new ones.

/// <summary>The <c>site:</c> section.</summary>
public sealed record SiteSettings(
    string Name,
    string? Domain,
    ImmutableArray<Ipv4Address> UpstreamDns,
    ImmutableArray<string> SshKeys);

/// <summary>The <c>server:</c> section: where the agent keeps its files and how it is reached.</summary>
public sealed record ServerSettings(string StateDirectory, string DataDirectory, int HttpPort, string? TftpRootSetting,
    BootLoaders Loaders)
{
    public const string DefaultStateDirectory = "/var/lib/netbootpi";
    public const string DefaultDataDirectory = "/srv/netbootpi";
    public static readonly ServerSettings Default = new(DefaultStateDirectory, DefaultDataDirectory, 80, null, BootLoaders.Default);

    /// <summary>The TFTP root: <c>server.tftp_root</c>, or <c>DATA_DIR/tftp</c>.</summary>
    public string TftpRoot => TftpRootSetting ?? Path.Combine(DataDirectory, "tftp");
}

/// <summary>
/// First-stage loaders by PXE client architecture (RFC 4578 §2.1 option 93), as paths in the TFTP root.
/// UEFI HTTP boot clients get the UEFI loader by URL instead.
/// </summary>
public sealed record BootLoaders(string Bios, string Uefi, string Arm64)
{
    public static readonly BootLoaders Default = new("undionly.kpxe", "snponly.efi", "arm64/snponly.efi");
}

public enum DhcpMode
{
    /// <summary>The box hands out no addresses on this network.</summary>
    Off,
    /// <summary>The box is the DHCP server: addresses, options and boot offers; NAKs wrong addresses.</summary>
    Authoritative,
    /// <summary>Another server hands out addresses; the box answers PXE clients with boot information only.</summary>
    Proxy,
}

/// <summary>An inclusive range of addresses handed out dynamically.</summary>
public readonly record struct AddressRange(Ipv4Address First, Ipv4Address Last)
{
    public long Count => (long)Last.Value - First.Value + 1;
    public bool Contains(Ipv4Address a) => a >= First && a <= Last;
    public override string ToString() => $"{First}-{Last}";
}

public sealed record DhcpSettings(
    DhcpMode Mode,
    AddressRange? Range,
    TimeSpan LeaseTime,
    Ipv4Address? Router,
    ImmutableArray<Ipv4Address> Dns)
{
    public static readonly TimeSpan DefaultLeaseTime = TimeSpan.FromHours(1);
    public static readonly DhcpSettings Off = new(DhcpMode.Off, null, DefaultLeaseTime, null, []);
}

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

public enum ProfileKind { Alpine, Kernel, Local, Menu }

/// <summary>The <c>alpine:</c> block of a profile: which Alpine netboot release to boot.</summary>
public sealed record AlpineRelease(string Mirror, string Branch, string Version, string Flavor, string Arch);

public sealed record BootProfile(
    string Name,
    ProfileKind Kind,
    AlpineRelease? Alpine,
    string? Kernel,
    ImmutableArray<string> Initrds,
    string? NfsRoot,
    ImmutableArray<string> MenuItems,
    string? MenuDefault,
    string? Cmdline,
    string? Console,
    TimeSpan? MenuTimeout,
    SourceLocation Location);

public sealed record HostEntry(
    string Name,
    MacAddress Mac,
    Ipv4Address? Ip,
    string? Profile,
    string? PiSerial,
    SourceLocation Location);
