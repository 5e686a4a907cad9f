using NetbootPi.Agent.Render.Network;

namespace NetbootPi.Agent.Apply.Network;

/// <summary>
/// Where <see cref="NetworkApplier"/> writes and which tools it runs. The defaults are the box's own; tests and
/// labs point the directories elsewhere, so nothing here ever touches the machine running them.
/// </summary>
public sealed record NetworkApplierOptions
{
    /// <summary>systemd-networkd's configuration directory (our files in it have <see cref="NetworkdFiles.Prefix"/>).</summary>
    public string NetworkdDirectory { get; init; } = NetworkdFiles.Directory;

    /// <summary>netctl's profile directory (our profiles in it have <see cref="NetctlProfiles.Prefix"/>).</summary>
    public string NetctlDirectory { get; init; } = NetctlProfiles.Directory;

    /// <summary>The file that holds our nftables table, loaded with <c>nft -f</c>.</summary>
    public string NftablesFile { get; init; } = "/etc/netbootpi/netbootpi.nft";

    /// <summary>The nft program.</summary>
    public string Nft { get; init; } = "nft";

    /// <summary>The ip program (iproute2): whether a link exists, and deleting links networkd no longer has files for.</summary>
    public string Ip { get; init; } = "ip";

    /// <summary>The kernel's network tables (<c>/proc/net</c>): which UDP ports are taken.</summary>
    public string ProcNet { get; init; } = "/proc/net";

    /// <summary>The wg program (wireguard-tools): a running WireGuard tunnel brought to its file.</summary>
    public string Wg { get; init; } = "wg";
}
