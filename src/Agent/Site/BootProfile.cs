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
}
