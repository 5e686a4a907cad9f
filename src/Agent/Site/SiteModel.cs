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

/// <summary>One entry of <c>networks:</c>: a (possibly VLAN-tagged) interface and the box's address on it.</summary>
public sealed record NetworkConfig(
    string Name,
    string ParentInterface,
    int? Vlan,
    Ipv4Interface Address,
    Ipv4Address? Gateway,
    DhcpSettings Dhcp,
    SourceLocation Location)
{
    /// <summary>The Linux interface the box uses: <c>eth0</c>, or <c>eth0.69</c> for VLAN 69 on eth0.</summary>
    public string Interface => Vlan is { } id ? $"{ParentInterface}.{id}" : ParentInterface;

    public Ipv4Network Subnet => Address.Network;

    /// <summary>The box's own address on this network.</summary>
    public Ipv4Address BoxAddress => Address.Address;
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
