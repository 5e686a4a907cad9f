using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

// profiles.NAME.nfsroot_mode: whether an NFS root is each host's own or one shared read-only tree.
internal sealed partial class SiteReader
{
    private static readonly string[] NfsRootModes = ["per-host", "shared-ro"];

    private NfsRootMode ReadNfsRootMode(YamlNode node, string path, string? nfsroot, YamlNode? nfsrootNode)
    {
        var s = Scalar(node, path, "per-host or shared-ro");
        if (s is null) return NfsRootMode.PerHost;
        if (s.Value == "per-host") return NfsRootMode.PerHost;
        if (s.Value != "shared-ro")
        {
            var hint = Suggest(s.Value, NfsRootModes);
            Error(s, path, $"unknown mode '{s.Value}' ({(hint is null ? "" : $"did you mean '{hint}'? ")}expected per-host or shared-ro)");
            return NfsRootMode.PerHost;
        }
        if (nfsrootNode is null)
            Error(s, path, "a mode for an NFS root this profile does not have (expected nfsroot: PATH beside it)");
        // One read-only tree for every machine: a placeholder would make it a tree per machine after all.
        else if (nfsroot is not null && nfsroot.Contains('{'))
            Error(nfsrootNode, path.Replace("nfsroot_mode", "nfsroot", StringComparison.Ordinal),
                $"'{nfsroot}' has a placeholder, but a shared-ro root is one directory for every machine (expected a path without {{mac}} or {{name}})");
        return NfsRootMode.SharedReadOnly;
    }

    /// <summary>
    /// Characters that go as they are into an exports line (exportfs splits lines at blanks and reads quotes,
    /// backslashes, '#' and parentheses specially) and into the kernel's <c>nfsroot=BOX:PATH,OPTIONS</c> (',' starts
    /// the options, ':' ends the server).
    /// </summary>
    private static bool IsExportablePath(string path) =>
        path.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+{}".Contains(c));
}
