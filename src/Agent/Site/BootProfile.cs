using System.Collections.Immutable;

namespace NetbootPi.Agent.Site;

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
    SourceLocation Location)
{
    /// <summary>How <see cref="NfsRoot"/> is exported; <see cref="NfsRootMode.PerHost"/> unless the profile says <c>nfsroot_mode: shared-ro</c>.</summary>
    public NfsRootMode NfsRootMode { get; init; }

    /// <summary>The catalog image a <see cref="ProfileKind.Sanboot"/> profile boots (<c>sanboot: NAME</c>, served at <c>/images/NAME</c>).</summary>
    public string? Image { get; init; }

    /// <summary>
    /// For a <see cref="ProfileKind.Local"/> profile, <c>pxe: NAME</c>: the profile a one-time network boot serves its
    /// hosts (Redfish's <c>Boot</c> override to <c>Pxe</c>, <c>netbootpi next-boot HOST pxe</c>); null: they have none.
    /// </summary>
    public string? Pxe { get; init; }

    /// <summary>How the box recovers a host of this profile that does not come up (<c>recovery:</c>); null: it does not.</summary>
    public RecoveryPolicy? Recovery { get; init; }

    /// <summary>For a <see cref="ProfileKind.Kernel"/> profile, <c>install:</c>: the kernel is an installer its hosts run once; null: it is not.</summary>
    public InstallSettings? Install { get; init; }
}
