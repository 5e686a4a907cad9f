using System.Text.Json.Serialization;

namespace NetbootPi.Agent.Backup;

/// <summary>
/// What a backup holds, written last in its archive as <c>manifest.json</c>: the format, the agent that made it, the
/// site's name, when, where the site file and state directory were, and every file (its path in the archive, size,
/// SHA-256).
/// </summary>
public sealed record BackupManifest(int Format, string AgentVersion, string Site, DateTimeOffset Created, string SiteFile, string StateDirectory,
    BackupFileEntry[] Files)
{
    public const int CurrentFormat = 1;
    public const string EntryName = "manifest.json";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(BackupManifest))]
internal sealed partial class BackupJson : JsonSerializerContext;
