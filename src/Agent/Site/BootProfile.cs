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
    SourceLocation Location);
