using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;
using NetbootPi.Agent.Render.Nfs;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Files;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Http;

/// <summary>How a request for a file inside a machine's NFS root ended.</summary>
public enum NfsRootFileResult
{
    Opened,
    /// <summary>Not a <c>{nfsroot}/PATH</c> artifact of a profile that MAC boots: nothing of the root is served but those.</summary>
    NotNamed,
    /// <summary>The client is not one the root is exported to: the same rule as the NFS export itself.</summary>
    NotThisClient,
    NotFound,
    /// <summary>A link in the root leads out of it (<see cref="InRootFile"/>): refused, and the caller records it.</summary>
    LeadsOut,
}

/// <summary>
/// Serves a profile's <c>{nfsroot}/PATH</c> kernel and initrds (<see cref="NfsRootArtifact"/>) from inside the
/// machine's root, for HTTP (<c>/nfsroot/PROFILE/MAC/PATH</c>) and TFTP (<c>nfsroot/PROFILE/MAC/PATH</c>) alike.
/// </summary>
/// <remarks>
/// The machine is root in that tree (<c>no_root_squash</c>) and can plant any link there, so only the files its
/// profile names are served, only to the clients the root is exported to (a per-host root's own address, a
/// shared root's networks: what NFS itself allows them), and each is opened with <see cref="InRootFile"/>: as the
/// machine itself resolves the path, never outside the tree, and a link that climbs out is refused.
/// </remarks>
public static class NfsRootFiles
{
    private static readonly ConditionalWeakTable<SiteInventory, NfsExportSet> Exports = new();

    /// <summary>The request's path after the prefix: <c>PROFILE/MAC/PATH</c>.</summary>
    public static NfsRootFileResult Open(SiteInventory site, string rest, Ipv4Address? client,
        out ServedFile file, out string detail, out HostBinding? binding)
    {
        file = default;
        binding = null;
        var parts = rest.Split('/', 3);
        if (parts.Length < 3 || site.FindProfile(parts[0]) is not { NfsRoot: { } template } profile || !MacAddress.TryParse(parts[1], out var mac))
        {
            detail = $"'{rest}' names no profile with an nfsroot and a MAC (expected PROFILE/MAC/PATH)";
            return NfsRootFileResult.NotNamed;
        }
        var inRoot = parts[2];
        binding = site.Resolve(mac);
        if (!profile.Initrds.Prepend(profile.Kernel!).Any(a => NfsRootArtifact.InRoot(a) == inRoot) || !binding.Boots(profile))
        {
            detail = $"{inRoot} is not a {NfsRootArtifact.Prefix} file of profile {profile.Name} for {Label(binding)}";
            return NfsRootFileResult.NotNamed;
        }
        var root = binding.ExpandPlaceholders(template);
        var export = Exports.GetValue(site, static s => NfsExports.Render(s)).Exports.FirstOrDefault(e => e.Path == root);
        if (client is not { } address || export is null || !export.Clients.Any(c => Covers(c.Client, address)))
        {
            detail = export is null
                ? $"{root} is not exported (a per-host root needs the host's ip), so nothing in it is served"
                : $"{root} is exported to {string.Join(", ", export.Clients.Select(c => c.Client))}, not to {client?.ToString() ?? "this client"}";
            return NfsRootFileResult.NotThisClient;
        }
        if (!SafeFiles.IsPlainRelativePath(inRoot))
        {
            detail = $"{inRoot} is not a plain path";
            return NfsRootFileResult.NotFound;
        }
        switch (InRootFile.Open(root, inRoot, out var handle, out var why))
        {
            case InRootOpen.LeadsOut:
                detail = $"{Label(binding)}'s root {root}: {why}";
                return NfsRootFileResult.LeadsOut;
            case InRootOpen.NotFound:
                detail = $"{root}/{inRoot} is missing";
                return NfsRootFileResult.NotFound;
        }
        if (ReadOnlyFile.Status(handle!) is not { IsRegularFile: true } status)
        {
            handle!.Dispose();
            detail = $"{root}/{inRoot} is not a regular file";
            return NfsRootFileResult.NotFound;
        }
        file = new ServedFile(handle!, status.Length, status.LastWriteUtc);
        detail = "";
        return NfsRootFileResult.Opened;
    }

    /// <summary>The handle as a stream the TFTP server can own.</summary>
    public static Stream AsStream(SafeFileHandle handle) => new FileStream(handle, FileAccess.Read, bufferSize: 0);

    private static bool Covers(string exportClient, Ipv4Address address)
    {
        if (exportClient.Contains('/')) return Ipv4Network.TryParse(exportClient, out var net) && net.Contains(address);
        return Ipv4Address.TryParse(exportClient, out var one) && one == address;
    }

    private static string Label(HostBinding binding) => binding.Host?.Name ?? binding.Mac.ToString();
}
