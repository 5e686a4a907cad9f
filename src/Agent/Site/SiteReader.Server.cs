using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

// server: where the box keeps its state and data, its HTTP port, TFTP root and loaders.
internal sealed partial class SiteReader
{
    private static readonly string[] ServerKeys = ["state_dir", "data_dir", "http_port", "tftp_root", "loaders", "network_backend"];
    private static readonly string[] LoaderKeys = ["bios", "uefi", "arm64"];

    private ServerSettings? ReadServer(YamlNode node)
    {
        var m = Mapping(node, "server", "a mapping with state_dir, data_dir, http_port, tftp_root, loaders and network_backend", ServerKeys);
        if (m is null) return null;
        var state = m.TryGetValue("state_dir", out var st) ? AbsolutePath(st, "server.state_dir") : ServerSettings.DefaultStateDirectory;
        var data = m.TryGetValue("data_dir", out var dt) ? AbsolutePath(dt, "server.data_dir") : ServerSettings.DefaultDataDirectory;
        var port = m.TryGetValue("http_port", out var hp) ? Integer(hp, "server.http_port", "a TCP port from 1 to 65535", 1, 65535) : 80;
        var tftpOk = true;
        string? tftp = null;
        if (m.TryGetValue("tftp_root", out var tr)) { tftp = AbsolutePath(tr, "server.tftp_root"); tftpOk = tftp is not null; }
        var loaders = m.TryGetValue("loaders", out var ld) ? ReadLoaders(ld) : BootLoaders.Default;
        var backend = m.TryGetValue("network_backend", out var nb) ? Backend(nb) : NetworkBackend.Networkd;
        return state is null || data is null || port is null || !tftpOk || loaders is null || backend is null
            ? null
            : new ServerSettings(state, data, port.Value, tftp, loaders, node.Location) { NetworkBackend = backend.Value };
    }

    private NetworkBackend? Backend(YamlNode node)
    {
        var s = Scalar(node, "server.network_backend", "networkd, netctl or none");
        switch (s?.Value)
        {
            case null: return null;
            case "networkd": return NetworkBackend.Networkd;
            case "netctl": return NetworkBackend.Netctl;
            case "none": return NetworkBackend.None;
        }
        var hint = Suggest(s.Value, ["networkd", "netctl", "none"]) is { } best ? $"did you mean '{best}'? " : "";
        Error(s, "server.network_backend", $"unknown network backend '{s.Value}' ({hint}expected networkd, netctl, or none to leave the box's network alone)");
        return null;
    }

    private BootLoaders? ReadLoaders(YamlNode node)
    {
        var m = Mapping(node, "server.loaders", "a mapping with bios, uefi and arm64", LoaderKeys);
        if (m is null) return null;
        string? Loader(string key, string fallback) =>
            m.TryGetValue(key, out var n) ? Artifact(n, $"server.loaders.{key}", "a path in the TFTP root like undionly.kpxe") : fallback;
        var d = BootLoaders.Default;
        var bios = Loader("bios", d.Bios);
        var uefi = Loader("uefi", d.Uefi);
        var arm64 = Loader("arm64", d.Arm64);
        foreach (var (key, value) in new[] { ("bios", bios), ("uefi", uefi), ("arm64", arm64) })
        {
            if (value is not null && value.Contains("://", StringComparison.Ordinal))
                Error(m[key], $"server.loaders.{key}", $"'{value}' is a URL (expected a path in the TFTP root: PXE firmware fetches loaders over TFTP)");
        }
        return bios is null || uefi is null || arm64 is null || bios.Contains("://") || uefi.Contains("://") || arm64.Contains("://")
            ? null
            : new BootLoaders(bios, uefi, arm64);
    }

    private string? AbsolutePath(YamlNode node, string path)
    {
        var s = Scalar(node, path, "an absolute path");
        if (s is null) return null;
        if (s.Value.StartsWith('/') && !s.Value.Contains('\0')) return s.Value.TrimEnd('/') is { Length: > 0 } p ? p : "/";
        Error(s, path, $"'{s.Value}' is not an absolute path (expected a path starting with /)");
        return null;
    }
}
