using System.Collections.Immutable;

namespace NetbootPi.Agent.Site;

/// <summary>
/// A kernel profile's <c>install:</c>: the installer it boots and what the file rendered for each of its hosts
/// holds besides what the site already says of the host (name, address, network, SSH keys). docs/installs.md.
/// </summary>
/// <param name="Then">The profile the host boots once its install reported completion (a local-disk profile).</param>
/// <param name="Disk">The disk the installer writes (<c>/dev/sda</c>); null only for <see cref="InstallKind.NoCloud"/>.</param>
/// <param name="PasswordHash">A crypt(3) hash for <paramref name="User"/> (and root where the format has one); never a password.</param>
/// <param name="Template">The user's text merged into the rendered file, parsed once when the site is read.</param>
public sealed record InstallSettings(
    InstallKind Kind,
    string Then,
    string? Disk,
    ImmutableArray<string> Packages,
    string TimeZone,
    string? PasswordHash,
    string User,
    InstallTemplate? Template,
    SourceLocation Location)
{
    /// <summary>The user an install makes when the profile names none.</summary>
    public const string DefaultUser = "admin";

    public static string KindName(InstallKind kind) => kind switch
    {
        InstallKind.Preseed => "preseed",
        InstallKind.Autoinstall => "autoinstall",
        InstallKind.NoCloud => "nocloud",
        InstallKind.Kickstart => "kickstart",
        _ => "ignition",
    };

    public static InstallKind? ParseKind(string name) => name switch
    {
        "preseed" => InstallKind.Preseed,
        "autoinstall" => InstallKind.Autoinstall,
        "nocloud" => InstallKind.NoCloud,
        "kickstart" => InstallKind.Kickstart,
        "ignition" => InstallKind.Ignition,
        _ => null,
    };
}
