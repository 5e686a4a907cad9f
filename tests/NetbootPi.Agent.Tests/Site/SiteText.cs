using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Tests.Site;

/// <summary>Small valid site files to vary in tests, and a helper that prints their errors as the CLI does.</summary>
internal static class SiteText
{
    /// <summary>
    /// A minimal valid site. Line numbers matter to the tests:
    /// 1 site, 5 networks, 6 lan, 9 dhcp, 10 profiles, 13 defaults, 14 hosts, 15 host a, 16 host b.
    /// </summary>
    public const string Minimal = """
        site:
          name: t
          domain: t.internal
          upstream_dns: [1.1.1.1]
        networks:
          lan:
            interface: eth0
            address: 10.0.0.1/24
            dhcp: { mode: authoritative, range: 10.0.0.100-10.0.0.199, lease: 1h, router: 10.0.0.1, dns: [10.0.0.1] }
        profiles:
          p: { local: true }
          k: { kernel: k/vmlinuz, initrd: k/initrd.img, nfsroot: "/srv/nfs/{name}" }
        defaults: { profile: p }
        hosts:
          a: { mac: 00:00:00:00:00:01, ip: 10.0.0.10 }
          b: { mac: 00:00:00:00:00:02, ip: 10.0.0.11, profile: k }
        """;

    public static SiteLoadResult Load(string text) => SiteFile.Parse("t.yaml", text);

    public static string[] Errors(string text) => Load(text).Errors.Select(e => e.ToString()).ToArray();

    /// <summary>Replaces one line (1-based) of <paramref name="text"/>.</summary>
    public static string WithLine(this string text, int line, string replacement)
    {
        var lines = text.Split('\n');
        lines[line - 1] = replacement;
        return string.Join('\n', lines);
    }

    public static string Example => File.ReadAllText(Path.Combine(RepoRoot, "examples", "netsoc.yaml"));

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NetbootPi.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
        }
    }
}
