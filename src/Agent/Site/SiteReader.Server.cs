using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

// server: where the box keeps its state and data, its HTTP port, TFTP root and loaders.
internal sealed partial class SiteReader
{
    private static readonly string[] ServerKeys = ["state_dir", "data_dir", "http_port", "tftp_root", "loaders", "network_backend", "api_port", "api_http_port", "api_cert", "api_key", "api_require_totp", "metrics"];
    private static readonly string[] LoaderKeys = ["bios", "uefi", "arm64"];

    private ServerSettings? ReadServer(YamlNode node)
    {
        var m = Mapping(node, "server", "a mapping with state_dir, data_dir, http_port, tftp_root, loaders, network_backend, api_port, api_http_port, api_cert, api_key, api_require_totp and metrics", ServerKeys);
        if (m is null) return null;
        var state = m.TryGetValue("state_dir", out var st) ? AbsolutePath(st, "server.state_dir") : ServerSettings.DefaultStateDirectory;
        var data = m.TryGetValue("data_dir", out var dt) ? AbsolutePath(dt, "server.data_dir") : ServerSettings.DefaultDataDirectory;
        var port = m.TryGetValue("http_port", out var hp) ? Integer(hp, "server.http_port", "a TCP port from 1 to 65535", 1, 65535) : 80;
        var tftpOk = true;
        string? tftp = null;
        if (m.TryGetValue("tftp_root", out var tr)) { tftp = AbsolutePath(tr, "server.tftp_root"); tftpOk = tftp is not null; }
        var loaders = m.TryGetValue("loaders", out var ld) ? ReadLoaders(ld) : BootLoaders.Default;
        var backend = m.TryGetValue("network_backend", out var nb) ? Backend(nb) : NetworkBackend.Networkd;
        var api = m.TryGetValue("api_port", out var ap) ? Integer(ap, "server.api_port", "a TCP port from 1 to 65535 (the control API's HTTPS)", 1, 65535) : ServerSettings.DefaultApiPort;
        var apiHttp = m.TryGetValue("api_http_port", out var ahp) ? Integer(ahp, "server.api_http_port", "a TCP port from 1 to 65535 (plain HTTP that redirects to the API)", 1, 65535) : ServerSettings.DefaultApiHttpPort;
        var apiOk = api is not null && apiHttp is not null;
        if (apiOk && port is not null)
        {
            // The boot HTTP server listens on every address; the API's ports are on the management address.
            foreach (var (apiKey, value) in new[] { ("api_port", api!.Value), ("api_http_port", apiHttp!.Value) })
            {
                // A default that meets http_port (a lab's 8080) gives way: the redirect is left out (SiteInventory
                // users see ApiHttpPort null); a port the file names is its mistake to fix.
                if (value != port || !m.ContainsKey(apiKey)) continue;
                Error(m.TryGetValue(apiKey, out var at) ? at : hp ?? node, $"server.{apiKey}", $"{value} is server.http_port too (expected a port of its own: the boot HTTP server listens on {value} on every address)");
                apiOk = false;
            }
            if (apiOk && apiHttp is not null && api == apiHttp)
            {
                Error(ahp ?? ap ?? node, "server.api_http_port", $"{apiHttp} is server.api_port too (expected another port: it only redirects to HTTPS on api_port)");
                apiOk = false;
            }
        }
        string? cert = null, key = null;
        if (m.TryGetValue("api_cert", out var ac)) { cert = AbsolutePath(ac, "server.api_cert"); apiOk &= cert is not null; }
        if (m.TryGetValue("api_key", out var ak)) { key = AbsolutePath(ak, "server.api_key"); apiOk &= key is not null; }
        if (ac is not null ^ ak is not null)
        {
            var (given, missing) = ac is not null ? ("api_cert", "api_key") : ("api_key", "api_cert");
            Error(ac ?? ak!, $"server.{given}", $"server.{missing} is missing (expected both, a certificate and its private key as PEM files, or neither: the agent makes its own)");
            apiOk = false;
        }
        var totp = m.TryGetValue("api_require_totp", out var rt) ? RequireTotp(rt) : TotpRequirement.None;
        var metricsOpen = m.TryGetValue("metrics", out var mo) ? MetricsAccess(mo) : false;
        if (apiOk && !m.ContainsKey("api_http_port") && apiHttp == port) apiHttp = null;
        if (apiOk && !m.ContainsKey("api_port") && api == port)
        {
            Error(hp!, "server.http_port", $"{port} is the control API's default port (server.api_port): give api_port another");
            apiOk = false;
        }
        return state is null || data is null || port is null || !tftpOk || loaders is null || backend is null || !apiOk || totp is null || metricsOpen is null
            ? null
            : new ServerSettings(state, data, port.Value, tftp, loaders, node.Location)
            {
                NetworkBackend = backend.Value, ApiPort = api!.Value, ApiHttpPort = apiHttp, ApiCertificate = cert, ApiKey = key,
                ApiRequireTotp = totp!.Value, MetricsOpen = metricsOpen.Value,
            };
    }

    /// <summary><c>server.metrics</c>: true for <c>open</c> (anyone reaching the API may scrape), false for <c>token</c>.</summary>
    private bool? MetricsAccess(YamlNode node)
    {
        var s = Scalar(node, "server.metrics", "token or open");
        switch (s?.Value)
        {
            case null: return null;
            case "token": return false;
            case "open": return true;
        }
        var hint = Suggest(s.Value, ["token", "open"]) is { } best ? $"did you mean '{best}'? " : "";
        Error(s, "server.metrics", $"'{s.Value}' is not token or open ({hint}token: a scraper needs a viewer token; open: anyone who reaches the API may read /metrics)");
        return null;
    }

    private TotpRequirement? RequireTotp(YamlNode node)
    {
        var s = Scalar(node, "server.api_require_totp", "none, admins or all");
        switch (s?.Value)
        {
            case null: return null;
            case "none": return TotpRequirement.None;
            case "admins": return TotpRequirement.Admins;
            case "all": return TotpRequirement.All;
        }
        var hint = Suggest(s.Value, ["none", "admins", "all"]) is { } best ? $"did you mean '{best}'? " : "";
        Error(s, "server.api_require_totp", $"'{s.Value}' is not none, admins or all ({hint}whose logins over the network must give a TOTP code)");
        return null;
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
