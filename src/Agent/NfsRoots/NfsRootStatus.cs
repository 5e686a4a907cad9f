using NetbootPi.Agent.Render.Nfs;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.NfsRoots;

/// <summary>
/// One NFS root as <c>show host</c> tells it: whether it exists and its size, whom the site exports it to, and
/// whether nfsd exports it now (exportfs's table, <c>/var/lib/nfs/etab</c>: one <c>PATH CLIENT(OPTIONS)</c> per line).
/// </summary>
public static class NfsRootStatus
{
    /// <summary>Where exportfs keeps what it has exported.</summary>
    public const string ExportTable = "/var/lib/nfs/etab";

    public static string Describe(SiteInventory site, string root, string exportTable = ExportTable)
    {
        var exists = NfsRootStore.Exists(root);
        var state = exists ? $"present, {TreeSize.Of(root)}" : "missing (netbootpi nfsroot create)";
        var export = NfsExports.Render(site).Exports.FirstOrDefault(e => e.Path == root);
        if (export is null) return $"{state}; not exported (the site gives it to no host with an ip)";
        var live = Live(exportTable, root);
        var clients = string.Join(", ", export.Clients.Select(c =>
            $"{(c.ReadOnly ? "ro" : "rw")} to {c.Client} ({(live.Contains(c.Client) ? "live" : "not live")})"));
        return $"{state}; exported {clients}";
    }

    /// <summary>The clients the export table has for <paramref name="path"/> (none when there is no table).</summary>
    private static HashSet<string> Live(string exportTable, string path)
    {
        var clients = new HashSet<string>(StringComparer.Ordinal);
        if (!File.Exists(exportTable)) return clients;
        foreach (var line in File.ReadLines(exportTable))
        {
            var fields = line.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || fields[0] != path) continue;
            foreach (var f in fields.Skip(1))
                clients.Add(f.IndexOf('(', StringComparison.Ordinal) is var p and >= 0 ? f[..p] : f);
        }
        return clients;
    }
}
