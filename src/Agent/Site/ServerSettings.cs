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

    /// <summary>The TFTP root: <c>server.tftp_root</c>, or <c>DATA_DIR/tftp</c>.</summary>
    public string TftpRoot => TftpRootSetting ?? Path.Combine(DataDirectory, "tftp");
}
