namespace NetbootPi.Agent.Site;

/// <summary>
/// First-stage loaders by PXE client architecture (RFC 4578 §2.1 option 93), as paths in the TFTP root.
/// UEFI HTTP boot clients get the UEFI loader by URL instead.
/// </summary>
public sealed record BootLoaders(string Bios, string Uefi, string Arm64)
{
    public static readonly BootLoaders Default = new("undionly.kpxe", "snponly.efi", "arm64/snponly.efi");
}
