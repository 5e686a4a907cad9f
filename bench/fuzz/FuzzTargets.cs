using NetbootPi.Fuzz.Targets;

namespace NetbootPi.Fuzz;

/// <summary>Every target by name: bench/fuzz.sh runs one, the corpus tests run each one's seeds and regressions.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<string> Names { get; } = ["dhcp", "tftp", "dns", "site", "overlay", "http"];

    /// <summary>A fresh target (some hold a directory tree to serve from: dispose them).</summary>
    public static FuzzTarget Create(string name) => name switch
    {
        "dhcp" => new DhcpTarget(),
        "tftp" => new TftpTarget(),
        "dns" => new DnsTarget(),
        "site" => new SiteTarget(),
        "overlay" => new OverlayTarget(),
        "http" => new HttpTarget(),
        _ => throw new ArgumentException($"no fuzz target '{name}' (expected one of {string.Join(", ", Names)})", nameof(name)),
    };
}
