using NetbootPi.Agent.Apply;
using NetbootPi.Agent.Render.Boot;
using NetbootPi.Agent.Render.Nfs;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Reports;

/// <summary>
/// What a new site changes against the running one, in the words people check an edit by: the hosts, networks and
/// profiles added, removed or changed (and how), and the NFS exports the box would write. A pure function of the two
/// snapshots: a host counts as changed when what the site derives for it (<see cref="HostReport"/>, as <c>show
/// host</c> prints it) or its iPXE script changes, so a profile's edit shows on every host that boots it.
/// </summary>
public static class SiteChanges
{
    /// <summary>The box as a script names it: the scripts compared are the same whatever address a machine reaches.</summary>
    private static readonly BootRequest Box = new("http://BOX", "BOX");

    public static IReadOnlyList<SiteChange> Between(SiteInventory before, SiteInventory after)
    {
        var changes = new List<SiteChange>();
        Compare(changes, "network", before.Networks, after.Networks, n => n.Name, StringComparer.Ordinal, Facts, Facts, (_, _) => []);
        Compare(changes, "profile", before.Profiles, after.Profiles, p => p.Name, StringComparer.Ordinal,
            p => [("is", SiteSummary.Describe(p))], p => [("is", SiteSummary.Describe(p))], (_, _) => []);
        // Host names are matched as the site matches them: without regard to case.
        Compare(changes, "host", before.Hosts, after.Hosts, h => h.Name, StringComparer.OrdinalIgnoreCase,
            h => HostFacts(before, h), h => HostFacts(after, h), (a, b) => Script(before, a, after, b));
        var exports = UnifiedDiff.Render(new FileChange(NfsExports.FileName, NfsExports.Render(before).Text, NfsExports.Render(after).Text));
        if (exports.Length > 0) changes.Add(new SiteChange("exports", NfsExports.FileName, "changed", Changed(exports, "")));
        return changes;
    }

    private static void Compare<T>(List<SiteChange> changes, string kind, IEnumerable<T> before, IEnumerable<T> after, Func<T, string> name,
        StringComparer names, Func<T, IReadOnlyList<(string Key, string Value)>> factsBefore, Func<T, IReadOnlyList<(string Key, string Value)>> factsAfter,
        Func<T, T, IEnumerable<string>> more)
    {
        var old = before.ToDictionary(name, names);
        var now = after.ToDictionary(name, names);
        foreach (var b in after)
        {
            if (!old.TryGetValue(name(b), out var a))
            {
                changes.Add(new SiteChange(kind, name(b), "added", [.. factsAfter(b).Select(f => $"{f.Key}: {f.Value}")]));
                continue;
            }
            var (fa, fb) = (factsBefore(a), factsAfter(b));
            var details = new List<string>();
            foreach (var key in fa.Select(f => f.Key).Concat(fb.Select(f => f.Key)).Distinct())
            {
                var was = string.Join("; ", fa.Where(f => f.Key == key).Select(f => f.Value));
                var will = string.Join("; ", fb.Where(f => f.Key == key).Select(f => f.Value));
                if (was != will) details.Add($"{key}: {(was.Length == 0 ? "(none)" : was)} → {(will.Length == 0 ? "(none)" : will)}");
            }
            details.AddRange(more(a, b));
            if (details.Count > 0) changes.Add(new SiteChange(kind, name(b), "changed", details));
        }
        foreach (var a in before.Where(a => !now.ContainsKey(name(a))))
            changes.Add(new SiteChange(kind, name(a), "removed", [.. factsBefore(a).Select(f => $"{f.Key}: {f.Value}")]));
    }

    private static IReadOnlyList<(string, string)> Facts(NetworkConfig n) =>
    [
        ("role", n.Role.SiteName()),
        ("interface", n.Interface ?? "(relayed)"),
        ("address", n.Address?.ToString() ?? "(none)"),
        ("subnet", n.Subnet.ToString()),
        ("gateway", n.Gateway?.ToString() ?? "(none)"),
        ("dhcp", SiteSummary.Dhcp(n)),
        ("router", n.Dhcp.Router?.ToString() ?? "(none)"),
        ("dns", n.Dhcp.Dns.IsDefaultOrEmpty ? "(none)" : string.Join(", ", n.Dhcp.Dns)),
    ];

    /// <summary>What the site derives for the host but where it is written (a line moved is no change).</summary>
    private static IReadOnlyList<(string, string)> HostFacts(SiteInventory site, HostEntry h) =>
    [
        .. HostReport.Rows(site, h.Mac, [], DateTimeOffset.UnixEpoch)
            .Where(r => r.Key is not ("defined at" or "host"))
            .Select(r => (r.Network is { } n ? $"{r.Key} (on {n})" : r.Key.Length == 0 ? "nfs root status" : r.Key, r.Value)),
    ];

    private static IEnumerable<string> Script(SiteInventory before, HostEntry a, SiteInventory after, HostEntry b)
    {
        var diff = UnifiedDiff.Render(new FileChange("script", IpxeScript.Render(before, before.Resolve(a.Mac), Box), IpxeScript.Render(after, after.Resolve(b.Mac), Box)));
        return diff.Length == 0 ? [] : Changed(diff, "iPXE script ");
    }

    /// <summary>The lines a unified diff removes and adds, without its headers and context.</summary>
    private static string[] Changed(string diff, string prefix) =>
    [
        .. diff.Split('\n')
            .Where(l => l.Length > 0 && (l[0] is '+' or '-') && !l.StartsWith("+++ ", StringComparison.Ordinal) && !l.StartsWith("--- ", StringComparison.Ordinal))
            .Select(l => prefix + l),
    ];
}
