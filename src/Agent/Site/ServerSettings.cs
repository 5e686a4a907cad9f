namespace NetbootPi.Agent.Site;

/// <summary>The <c>server:</c> section: where the agent keeps its files and how it is reached.</summary>
/// <param name="Location">Where the section is in the file; null when the file has none (every default).</param>
public sealed record ServerSettings(string StateDirectory, string DataDirectory, int HttpPort, string? TftpRootSetting,
    BootLoaders Loaders, SourceLocation? Location = null)
{
    public const string DefaultStateDirectory = "/var/lib/netbootpi";
    public const string DefaultDataDirectory = "/srv/netbootpi";
    public static readonly ServerSettings Default = new(DefaultStateDirectory, DefaultDataDirectory, 80, null, BootLoaders.Default);

    /// <summary>How the box's own network is configured (<c>server.network_backend</c>).</summary>
    public NetworkBackend NetworkBackend { get; init; } = NetworkBackend.Networkd;

    /// <summary>The control API's HTTPS port on the management network's address (<c>server.api_port</c>).</summary>
    public int ApiPort { get; init; } = DefaultApiPort;

    /// <summary>
    /// The port on the management address whose plain HTTP only redirects to HTTPS (<c>server.api_http_port</c>);
    /// null when the default is the boot HTTP server's port (<c>http_port: 8080</c>): then nothing redirects.
    /// </summary>
    public int? ApiHttpPort { get; init; } = DefaultApiHttpPort;

    /// <summary>A certificate (PEM) for the API instead of the one the agent makes (<c>server.api_cert</c>, with <see cref="ApiKey"/>).</summary>
    public string? ApiCertificate { get; init; }

    /// <summary>The private key (PEM) of <see cref="ApiCertificate"/> (<c>server.api_key</c>).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Whose network logins need TOTP even without enrolling (<c>server.api_require_totp</c>: none, admins, all).</summary>
    public TotpRequirement ApiRequireTotp { get; init; } = TotpRequirement.None;

    /// <summary>
    /// Whether <c>/metrics</c> answers without credentials (<c>server.metrics: open</c>, for a scraper on the
    /// management network that holds no token) instead of needing a viewer's (<c>token</c>, the default).
    /// </summary>
    public bool MetricsOpen { get; init; }

    public const int DefaultApiPort = 443;
    public const int DefaultApiHttpPort = 8080;

    /// <summary>The TFTP root: <c>server.tftp_root</c>, or <c>DATA_DIR/tftp</c>.</summary>
    public string TftpRoot => TftpRootSetting ?? Path.Combine(DataDirectory, "tftp");
}
