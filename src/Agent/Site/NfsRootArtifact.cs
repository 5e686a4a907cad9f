namespace NetbootPi.Agent.Site;

/// <summary>
/// A profile's kernel or initrd taken from inside the machine's own NFS root: <c>{nfsroot}/vmlinuz</c>. An
/// <c>apt upgrade</c> inside the root then changes what the machine boots next time; the box serves the file
/// from that root, to the root's own clients only (docs/nfs.md).
/// </summary>
public static class NfsRootArtifact
{
    public const string Prefix = "{nfsroot}/";

    /// <summary>The path inside the root (<c>vmlinuz</c> for <c>{nfsroot}/vmlinuz</c>), or null for any other artifact.</summary>
    public static string? InRoot(string artifact) =>
        artifact.StartsWith(Prefix, StringComparison.Ordinal) ? artifact[Prefix.Length..] : null;
}
